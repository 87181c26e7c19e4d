import CRMEmulators

/// Test executable for the fidelity runner: same options as `concord emulate`.
try await EmulatorCLI.runFromArguments(Array(CommandLine.arguments.dropFirst()))
