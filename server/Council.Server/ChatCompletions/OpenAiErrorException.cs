using System.Globalization;
using Council.Server.Providers.OpenAiCompatible.Wire;

namespace Council.Server.ChatCompletions;

/// <summary>
/// A refusal of <c>/v1</c>, answered the way the OpenAI API answers: an HTTP status and
/// <c>{ "error": { "message", "type", "code" } }</c>. The message says what to fix.
/// </summary>
public sealed class OpenAiErrorException : Exception
{
    public OpenAiErrorException(int status, string message, string type, string code, TimeSpan? retryAfter = null) : base(message)
    {
        Status = status;
        Type = type;
        Code = code;
        RetryAfter = retryAfter;
    }

    public OpenAiErrorException() : this(StatusCodes.Status500InternalServerError, "Internal error.", "server_error", "internal_error") { }

    public OpenAiErrorException(string message) : this(StatusCodes.Status400BadRequest, message, "invalid_request_error", "invalid_request") { }

    public OpenAiErrorException(string message, Exception inner) : base(message, inner)
    {
        Status = StatusCodes.Status400BadRequest;
        Type = "invalid_request_error";
        Code = "invalid_request";
    }

    public int Status { get; }

    public string Type { get; }

    public string Code { get; }

    public TimeSpan? RetryAfter { get; }

    public static OpenAiErrorException BadRequest(string message, string code) =>
        new(StatusCodes.Status400BadRequest, message, "invalid_request_error", code);

    public static OpenAiErrorException ModelNotFound(string message) =>
        new(StatusCodes.Status404NotFound, message, "invalid_request_error", "model_not_found");

    public static OpenAiErrorException TooManyRequests(string message, TimeSpan? retryAfter) =>
        new(StatusCodes.Status429TooManyRequests, message, "rate_limit_error", "rate_limit_exceeded", retryAfter ?? TimeSpan.FromSeconds(1));

    public WireError ToWire() => WireError.Of(Message, Code, Type);

    /// <summary>Writes the error as the whole response (which must not have started).</summary>
    public Task WriteAsync(HttpResponse response)
    {
        response.StatusCode = Status;
        if (RetryAfter is { } after)
        {
            response.Headers.RetryAfter = Math.Max(1, Math.Ceiling(after.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }
        return response.WriteAsJsonAsync(new ErrorBody(ToWire()), V1Json.Context.ErrorBody, contentType: null, response.HttpContext.RequestAborted);
    }
}
