import ConcordCore
import Testing
@testable import ConcordMapping

@Suite("service.replication.peers: tokens and scopes, with positioned errors")
struct ReplicationPeersConfigTests {
    @Test func peersAreRead() throws {
        let config = try ConfigLoader.load(text: """
        service:
          replication:
            peers:
              laptop: {token: {env: LAPTOP_TOKEN}, read: [contact, company], write: [contact]}
              relay: {token: literal-token}
        """, file: "concord.yaml")
        let peers = config.service.replicationPeers
        #expect(peers["laptop"] == ReplicationPeerSettings(token: .environment("LAPTOP_TOKEN"), read: ["contact", "company"], write: ["contact"]))
        #expect(peers["relay"] == ReplicationPeerSettings(token: .literal("literal-token"), read: nil, write: nil))
    }

    @Test func mistakesSayWhere() {
        func error(_ yaml: String) -> ConfigError? {
            do { _ = try ConfigLoader.load(text: yaml, file: "concord.yaml"); return nil } catch { return error }
        }
        let unknownObject = error("""
        service:
          replication:
            peers:
              laptop: {token: t, read: [contact, invoice]}
        """)
        #expect(unknownObject?.code == .unknownReference)
        #expect(unknownObject?.location.line == 4 && unknownObject?.message.contains("invoice") == true, "\(String(describing: unknownObject))")
        let noToken = error("""
        service:
          replication:
            peers:
              laptop: {read: [contact]}
        """)
        #expect(noToken?.code == .missingKey && noToken?.location.line == 4, "\(String(describing: noToken))")
        let notAList = error("""
        service:
          replication:
            peers:
              laptop: {token: t, write: contact}
        """)
        #expect(notAList?.code == .wrongShape && notAList?.message.contains("list of object types") == true, "\(String(describing: notAList))")
    }
}
