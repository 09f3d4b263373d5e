namespace QlikBackup.Qlik.Simulator.Engine;

/// <summary>
/// An error answered to a JSON-RPC request as QIX does: <c>{"error":{"code","parameter","message"}}</c>.
/// Codes are JSON-RPC's (-32xxx) for protocol errors and NxLocalizedErrorCode values for engine errors.
/// </summary>
internal sealed class QixError(int code, string parameter, string message) : Exception(message)
{
    public int Code { get; } = code;
    public string Parameter { get; } = parameter;

    // JSON-RPC 2.0 protocol errors.
    public static QixError ParseError(string detail) => new(-32700, detail, "Parse error");
    public static QixError InvalidRequest(string detail) => new(-32600, detail, "Invalid Request");
    public static QixError MethodNotFound(string method) => new(-32601, method, "Method not found");
    public static QixError InvalidParams(string detail) => new(-32602, detail, "Invalid Params");
    public static QixError InvalidHandle(int handle) => new(-32602, "Invalid handle", $"Invalid Params: no object has handle {handle}");

    // NxLocalizedErrorCode (QIX_data.json components/errors).
    public static QixError NotFound(string qId) => new(2, qId, "Resource not found");
    public static QixError AccessDenied(string what) => new(5, what, "Access denied");
    public static QixError InvalidParameters(string detail) => new(8, detail, "Invalid parameters");
    public static QixError AppAlreadyOpen(string appId) => new(1002, appId, "App already open");
    public static QixError AppNotFound(string appId) => new(1003, appId, "App not found");
    public static QixError AppNotOpen() => new(1017, "OpenDoc", "App not open");
    public static QixError VariableNoName() => new(18000, "qName", "Variable must have a name");
    public static QixError VariableDuplicateName(string name) => new(18001, name, "Variable already exists");
}
