import NIOCore

/// Rows in the text format of PostgreSQL's `COPY … FROM STDIN`: tab-separated, one line a
/// row, `\N` for NULL, backslash escapes for the characters the format gives a meaning.
/// Written here because postgres-nio streams COPY data but leaves its encoding to the caller.
struct CopyText: Sendable {
    private(set) var buffer: ByteBuffer
    private var atRowStart = true
    private(set) var rows = 0

    init(capacity: Int) {
        buffer = ByteBufferAllocator().buffer(capacity: capacity)
    }

    mutating func field(_ text: String?) {
        separate()
        guard var text else {
            buffer.writeStaticString("\\N")
            return
        }
        text.withUTF8 { bytes in
            // Most values need no escape: copied whole.
            if !bytes.contains(where: { $0 == 0x5C || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
                buffer.writeBytes(bytes)
                return
            }
            for byte in bytes {
                switch byte {
                case 0x5C: buffer.writeStaticString("\\\\")
                case 0x09: buffer.writeStaticString("\\t")
                case 0x0A: buffer.writeStaticString("\\n")
                case 0x0D: buffer.writeStaticString("\\r")
                default: buffer.writeInteger(byte)
                }
            }
        }
    }

    /// `first/second`, or `first` alone when `second` is nil, as one field.
    mutating func field(_ first: String, joinedBy separator: Character, _ second: String?) {
        field(second.map { first + String(separator) + $0 } ?? first)
    }

    /// A text that needs no escaping (digits, hex), as one field.
    mutating func field(plain bytes: some Collection<UInt8>) {
        separate()
        buffer.writeBytes(bytes)
    }

    mutating func field(_ number: Int64) {
        separate()
        buffer.writeString(String(number))
    }

    /// A `bytea` in hex form (`\\x…`: the backslash escaped for COPY).
    mutating func field(bytea bytes: UnsafeRawBufferPointer) {
        separate()
        buffer.writeStaticString("\\\\x")
        for byte in bytes {
            buffer.writeInteger(Self.hexDigits[Int(byte >> 4)])
            buffer.writeInteger(Self.hexDigits[Int(byte & 0x0F)])
        }
    }

    mutating func endRow() {
        buffer.writeInteger(UInt8(0x0A))
        atRowStart = true
        rows += 1
    }

    private mutating func separate() {
        if !atRowStart { buffer.writeInteger(UInt8(0x09)) }
        atRowStart = false
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}
