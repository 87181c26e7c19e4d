import ArgumentParser
import ConcordCore
import ConcordStore
import Foundation

/// `concord deletes`: the deletes the deletion guard holds back, and their approval.
struct DeletesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deletes",
        abstract: "List or approve the deletes the deletion guard holds back.",
        discussion: """
            When a CRM can no longer list its deletes (a purged delete log, an expired delta token), \
            Concord looks every linked record up and takes those missing as deleted. If one pass would \
            delete more than sync.deletion_guard allows (500 records, or 20% of an object's linked \
            records, by default), nothing is deleted: the deletes wait here. Approve them if the records \
            really were deleted; if they are only hidden (a permission change of the integration user), \
            fix that instead and the hold clears by itself.
            """,
        subcommands: [List.self, Approve.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the held deletes.")
        @OptionGroup var options: StoreOptions
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let holds = try options.openStore(readOnly: true).deletionHolds()
            if json { print(try Render.json(holds)); return }
            if holds.isEmpty { print("no deletes held"); return }
            for h in holds {
                print("\(h.replica) \(h.objectType): \(h.deletes) of \(h.linked) linked records missing, held since "
                      + Render.millis(h.detectedAt) + (h.approved ? " (approved: made on the next sync)" : ""))
            }
        }
    }

    struct Approve: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Approve held deletes: the next sync makes them.")
        @OptionGroup var options: StoreOptions
        @Option(help: "Only this CRM's holds.") var crm: String?
        @Option(help: "Only this object's holds.") var object: String?

        func run() throws {
            let approved = try options.openStore().approveDeletions(replica: crm, objectType: object)
            guard approved > 0 else { throw CLIError("no held deletes match", exitCode: 2) }
            print("approved \(approved) held delete set(s); the next `concord sync` makes them")
        }
    }
}
