/// Delivery ids seen lately, so a redelivered or replayed webhook triggers nothing. Kept in
/// memory and bounded: a duplicate that slips past (after a restart, or to another server)
/// costs one more run that finds nothing to do, since the payload is only a hint.
actor DeliveryLog {
    private var seen: Set<String> = []
    private var order: [String] = []
    private var oldest = 0
    private let capacity: Int

    init(capacity: Int = 10_000) { self.capacity = capacity }

    /// Records `id`; false when it was seen before.
    func insert(_ id: String) -> Bool {
        guard seen.insert(id).inserted else { return false }
        if order.count < capacity {
            order.append(id)
        } else {
            // A ring: the oldest id makes room.
            seen.remove(order[oldest])
            order[oldest] = id
            oldest = (oldest + 1) % capacity
        }
        return true
    }
}
