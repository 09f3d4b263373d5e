namespace QlikBackup.Qlik.Engine;

/// <summary>
/// An error answered by the Engine (<c>{"error":{"code","parameter","message"}}</c>), or a failed WebSocket upgrade
/// (then <see cref="Code"/> is the HTTP status, as QIX's LOCERR_HTTP_xxx codes are).
/// </summary>
public class QlikEngineException : Exception
{
    public QlikEngineException(int code, string? parameter, string message, string? method = null, Exception? inner = null)
        : base(method is null ? $"Qlik Engine error {code}: {message} ({parameter})" : $"Qlik Engine error {code} in {method}: {message} ({parameter})", inner)
    {
        Code = code;
        Parameter = parameter;
        EngineMessage = message;
        Method = method;
    }

    /// <summary>JSON-RPC code (-32xxx) or NxLocalizedErrorCode (see <see cref="QixErrorCodes"/>).</summary>
    public int Code { get; }
    public string? Parameter { get; }
    /// <summary>The engine's own message text.</summary>
    public string EngineMessage { get; }
    /// <summary>The QIX method that failed, when the error answers a request.</summary>
    public string? Method { get; }

    public bool IsNotFound => Code == QixErrorCodes.NotFound;

    /// <summary>The Retry-After of a refused upgrade (429/503), if it gave one.</summary>
    public TimeSpan? RetryAfter { get; init; }
}

/// <summary>The WebSocket broke (or was never usable) before the answer arrived. The session reconnects and retries once.</summary>
public sealed class QlikEngineConnectionLostException(string message, Exception? inner = null)
    : QlikEngineException(QixErrorCodes.ConnectionLost, null, message, null, inner);

/// <summary>Error codes QIX answers (JSON-RPC's and NxLocalizedErrorCode values from Qlik's Engine definition).</summary>
public static class QixErrorCodes
{
    public const int ParseError = -32700;
    public const int InvalidRequest = -32600;
    public const int MethodNotFound = -32601;
    public const int InvalidParams = -32602;
    /// <summary>LOCERR_GENERIC_NOT_FOUND.</summary>
    public const int NotFound = 2;
    /// <summary>LOCERR_GENERIC_ALREADY_EXISTS.</summary>
    public const int AlreadyExists = 3;
    /// <summary>LOCERR_GENERIC_ACCESS_DENIED.</summary>
    public const int AccessDenied = 5;
    /// <summary>LOCERR_GENERIC_INVALID_PARAMETERS.</summary>
    public const int InvalidParameters = 8;
    /// <summary>LOCERR_GENERIC_CONNECTION_LOST.</summary>
    public const int ConnectionLost = 16;
    /// <summary>LOCERR_APP_ALREADY_OPEN: the socket attached to a session that already has the doc open.</summary>
    public const int AppAlreadyOpen = 1002;
    /// <summary>LOCERR_APP_NOT_FOUND.</summary>
    public const int AppNotFound = 1003;
}
