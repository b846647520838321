/// Facts about this build of Echoflow.
public enum Echoflow {
    /// Version written to every output.
    public static let version = "0.1.0"
}
