import RosterCore
import Testing

@testable import RosterStore

/// The audit log's action names and resource types, which a stored log and its filters
/// depend on.
@Suite("Audit actions")
struct AuditActionTests {
    @Test("every plan change is filed under the resource type its action names")
    func planChangesKeepTheirResourceType() {
        for action in Change.Action.allCases {
            #expect(AuditAction.change(action).resourceType.rawValue == action.resourceType, "\(action)")
        }
    }

    @Test("every action's name reads back as the action")
    func namesReadBack() {
        for action in AuditAction.allCases {
            #expect(AuditAction(rawValue: action.rawValue) == action, "\(action.rawValue)")
        }
        #expect(AuditAction(rawValue: "team.rename") == nil)
    }
}
