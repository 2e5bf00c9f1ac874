using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Council.Server.Tests.Providers;

/// <summary>
/// A real Kestrel on 127.0.0.1 that plays an OpenAI-compatible provider: it replays recorded SSE streams byte for
/// byte and acts out failures. A provider's BaseUrl is <c>{Url}/{scenario}/{testId}</c>; requests and aborts are
/// recorded per test id.
/// </summary>
internal sealed class RecordedStreamServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RecordedStreamServer(WebApplication app) => _app = app;

    public string Url { get; private set; } = "";

    /// <summary>Requests received, per test id, in order.</summary>
    public ConcurrentDictionary<string, ConcurrentQueue<RecordedRequest>> Requests { get; } = new();

    /// <summary>When the server saw each test's request aborted (<see cref="Stopwatch"/> timestamp).</summary>
    public ConcurrentDictionary<string, TaskCompletionSource<long>> Aborts { get; } = new();

    public static string RecordingsDirectory => Path.Combine(AppContext.BaseDirectory, "Providers", "Recordings");

    public static byte[] Recording(string name) => File.ReadAllBytes(Path.Combine(RecordingsDirectory, name + ".sse"));

    public static async Task<RecordedStreamServer> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new RecordedStreamServer(app);
        app.MapPost("/{scenario}/{testId}/chat/completions", (HttpContext context) => server.HandleAsync(context));
        await app.StartAsync(cancellationToken);
        server.Url = app.Urls.Single();
        return server;
    }

    public string BaseUrl(string scenario, string testId) => $"{Url}/{scenario}/{testId}";

    public IReadOnlyList<RecordedRequest> RequestsOf(string testId) =>
        Requests.TryGetValue(testId, out var queue) ? queue.ToArray() : [];

    public Task<long> AbortOf(string testId) => Aborts.GetOrAdd(testId, _ => NewTcs()).Task;

    private async Task HandleAsync(HttpContext context)
    {
        var scenario = (string)context.Request.RouteValues["scenario"]!;
        var testId = (string)context.Request.RouteValues["testId"]!;
        var ct = context.RequestAborted;
        var aborted = Aborts.GetOrAdd(testId, _ => NewTcs());
        ct.Register(() => aborted.TrySetResult(Stopwatch.GetTimestamp()));

        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(ct);
        var queue = Requests.GetOrAdd(testId, _ => new ConcurrentQueue<RecordedRequest>());
        queue.Enqueue(new RecordedRequest(
            body,
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            Stopwatch.GetTimestamp()));
        var hit = queue.Count;

        var response = context.Response;
        switch (scenario.Split('.'))
        {
            case ["replay", var name]:
                await StartSseAsync(response, ct);
                await WriteInPiecesAsync(response, Recording(name), EventBoundaries(Recording(name)), ct);
                break;
            case ["split", var name]:
                await StartSseAsync(response, ct);
                await WriteInPiecesAsync(response, Recording(name), AwkwardBoundaries(Recording(name)), ct);
                break;
            case ["status429then", var name] when hit == 1:
                response.Headers.RetryAfter = "1";
                await WriteErrorAsync(response, 429, """{"error":{"message":"Rate limit exceeded: free-models-per-min","code":429}}""", ct);
                break;
            case ["status429then", var name]:
                await StartSseAsync(response, ct);
                await WriteInPiecesAsync(response, Recording(name), EventBoundaries(Recording(name)), ct);
                break;
            case ["retryafter3600"]:
                response.Headers.RetryAfter = "3600";
                await WriteErrorAsync(response, 429, """{"error":{"message":"Daily quota used up","code":429}}""", ct);
                break;
            case ["status500"]:
                await WriteErrorAsync(response, 500, """{"error":{"message":"Internal server error at upstream","code":500}}""", ct);
                break;
            case ["unauthorized"]:
                // Like OpenAI, echo (part of) the key back; Council must not pass it on.
                var key = context.Request.Headers.Authorization.ToString().Replace("Bearer ", "", StringComparison.Ordinal);
                await WriteErrorAsync(response, 401, $$$"""{"error":{"message":"Incorrect API key provided: {{{key}}}. You can find your API key at https://example.invalid/keys.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}""", ct);
                break;
            case ["reset", var name]:
                // Three events (role, "Hello", " there"), then the connection is torn down mid-stream.
                await StartSseAsync(response, ct);
                var bytes = Recording(name);
                var cut = EventBoundaries(bytes)[2];
                await WriteInPiecesAsync(response, bytes[..cut], EventBoundaries(bytes[..cut]), ct);
                await Task.Delay(50, ct);
                context.Abort();
                break;
            case ["hang"]:
                await StartSseAsync(response, ct);
                await WriteAsync(response, """data: {"choices":[{"index":0,"delta":{"role":"assistant","content":"Hello"}}]}""" + "\n\n", ct);
                await WaitForAbortAsync(ct);
                break;
            case ["flood"]:
                // Streams on and on, as a model does, until the client goes away.
                await StartSseAsync(response, ct);
                await FloodUntilAbortAsync(response, ct);
                break;
            case ["slow500"]:
                await Task.Delay(100, ct);
                await WriteErrorAsync(response, 500, """{"error":{"message":"Internal server error at upstream","code":500}}""", ct);
                break;
            case ["commentsthenhang"]:
                await StartSseAsync(response, ct);
                await WriteAsync(response, ": OPENROUTER PROCESSING\n\n", ct);
                await WaitForAbortAsync(ct);
                break;
            case ["json"]:
                response.ContentType = "application/json";
                await response.WriteAsync("""{"id":"c1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Whole answer"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}""", ct);
                break;
            default:
                response.StatusCode = 404;
                break;
        }
    }

    /// <summary>Offsets just after each blank line: every event goes out as its own write.</summary>
    public static int[] EventBoundaries(byte[] bytes)
    {
        var cuts = new List<int>();
        for (var i = 1; i < bytes.Length; i++)
        {
            if (bytes[i] == '\n' && (bytes[i - 1] == '\n' || (i >= 3 && bytes[i - 1] == '\r' && bytes[i - 2] == '\n')))
            {
                cuts.Add(i + 1);
            }
        }
        return [.. cuts.Where(c => c < bytes.Length)];
    }

    /// <summary>Cuts inside multi-byte UTF-8 characters, between CR and LF, and inside the <c>data:</c> prefix.</summary>
    public static int[] AwkwardBoundaries(byte[] bytes)
    {
        var cuts = new SortedSet<int>();
        for (var i = 0; i < bytes.Length - 1; i++)
        {
            if (bytes[i] >= 0xC0)
            {
                cuts.Add(i + 1); // after the lead byte of a multi-byte character
            }
            if (bytes[i] == '\r' && bytes[i + 1] == '\n')
            {
                cuts.Add(i + 1);
            }
            if (bytes.AsSpan(i).StartsWith("data:"u8))
            {
                cuts.Add(i + 2);
            }
        }
        return [.. cuts];
    }

    private static async Task WriteInPiecesAsync(HttpResponse response, byte[] bytes, int[] cuts, CancellationToken ct)
    {
        var start = 0;
        foreach (var cut in cuts.Append(bytes.Length))
        {
            await response.Body.WriteAsync(bytes.AsMemory(start, cut - start), ct);
            await response.Body.FlushAsync(ct);
            start = cut;
            // A pause, so each piece reaches the client as its own read rather than coalesced.
            await Task.Delay(5, ct);
        }
    }

    private static async Task StartSseAsync(HttpResponse response, CancellationToken ct)
    {
        response.ContentType = "text/event-stream";
        await response.StartAsync(ct);
    }

    private static async Task WriteAsync(HttpResponse response, string text, CancellationToken ct)
    {
        await response.WriteAsync(text, ct);
        await response.Body.FlushAsync(ct);
    }

    private static async Task WriteErrorAsync(HttpResponse response, int status, string json, CancellationToken ct)
    {
        response.StatusCode = status;
        response.ContentType = "application/json";
        await response.WriteAsync(json, ct);
    }

    private static async Task WaitForAbortAsync(CancellationToken ct)
    {
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
        }
        catch (OperationCanceledException)
        {
            // The client went away: that is what these scenarios wait for.
        }
    }

    private static async Task FloodUntilAbortAsync(HttpResponse response, CancellationToken ct)
    {
        var chunk = Encoding.UTF8.GetBytes("""data: {"choices":[{"index":0,"delta":{"content":"Hello"}}]}""" + "\n\n");
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await response.Body.WriteAsync(chunk, ct);
                await response.Body.FlushAsync(ct);
                await Task.Delay(2, ct);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // The client went away: that is what this scenario waits for.
        }
    }

    private static TaskCompletionSource<long> NewTcs() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}

/// <summary>A request as the provider server saw it.</summary>
internal sealed record RecordedRequest(string Body, IReadOnlyDictionary<string, string> Headers, long Timestamp);
