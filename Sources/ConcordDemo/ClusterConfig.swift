import CRMEmulators

/// A Concord configuration pointing at running emulators, in `concord.yaml` syntax.
public enum ClusterConfig {
    /// The configuration text.
    public static func yaml(_ cluster: EmulatorCluster) -> String {
        var text = "# Local CRM emulators, not real CRMs.\ncrms:\n"
        for m in cluster.members {
            let c = m.emulator.control.credentials
            text += "  \(m.emulator.name):\n"
            text += "    base_url: \"\(m.server.baseURL)\"\n"
            text += "    token_url: \"\(m.tokenURL)\"\n"
            text += "    credentials:\n"
            text += "      client_id: \"\(c.clientID)\"\n"
            text += "      client_secret: \"\(c.clientSecret)\"\n"
            if m.emulator.name == "hubspot" { text += "      token: \"\(c.staticToken)\"\n" }
        }
        return text
    }
}
