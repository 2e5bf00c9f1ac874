using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Council.Server.Providers;
using Council.Server.Providers.OpenAiCompatible;

namespace Council.Server.Tests.Providers;

/// <summary>
/// <see cref="OpenAiCompatibleProvider"/> against a loopback server replaying recorded provider streams and acting out
/// failures: what reaches the grain, what is retried, and how fast a cancelled call lets go of the connection.
/// </summary>
[CancelAfter(30_000)]
public sealed class OpenAiCompatibleProviderTests
{
    private const string Key = "test-secret-key-123";
    private const string Model = "test/anthropic/claude-sonnet-4";

    private RecordedStreamServer _server = null!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await RecordedStreamServer.StartAsync(CancellationToken.None);

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    [Test]
    public async Task Stream_OpenRouterWithCommentsReasoningAndCost_YieldsKeepAliveReasoningTextUsageAndFinish(CancellationToken cancellationToken)
    {
        await using var host = await StartHostAsync("replay.openrouter", NewTestId(), cancellationToken);

        var (chunks, error) = await host.ProviderFor(Model).StreamAsync(StreamCollector.Ask(Model), cancellationToken).CollectAsync(cancellationToken);

        error.ShouldBeNull();
        chunks[0].ShouldBeOfType<KeepAliveChunk>("the comment lines come before any data");
        chunks.Content().ShouldBe(
        [
            new ReasoningChunk("The user asks for a capital."),
            new ReasoningChunk(" It is Paris."),
            new TextChunk("The capital"),
            new TextChunk(" of France is **Paris**."),
            new UsageChunk(14, 19, 0.000327m),
            new FinishChunk("stop"),
        ]);
    }

    [Test]
    public async Task Stream_OpenAiStyle_ReportsLengthFinishAndUsageWithoutCost(CancellationToken cancellationToken)
    {
        await using var host = await StartHostAsync("replay.openai", NewTestId(), cancellationToken);

        var (chunks, error) = await host.ProviderFor(Model).StreamAsync(StreamCollector.Ask(Model), cancellationToken).CollectAsync(cancellationToken);

        error.ShouldBeNull();
        chunks.Content().ShouldBe(
        [
            new TextChunk("Hello"),
            new TextChunk(" there"),
            new TextChunk(", friend"),
            new TextChunk(". How"),
            new TextChunk(" can"),
            new UsageChunk(9, 5, null),
            new FinishChunk("length"),
        ]);
    }

    [Test]
    public async Task Stream_SendsUpstreamModelStreamingUsageOptionKeyAndHeaders(CancellationToken cancellationToken)
    {
        var testId = NewTestId();
        await using var host = await StartHostAsync("replay.openai", testId, cancellationToken);

        await host.ProviderFor(Model).StreamAsync(StreamCollector.Ask(Model), cancellationToken).CollectAsync(cancellationToken);

        var request = _server.RequestsOf(testId).ShouldHaveSingleItem();
        request.Headers["Authorization"].ShouldBe($"Bearer {Key}");
        request.Headers["HTTP-Referer"].ShouldBe("https://council.example");
        request.Headers["X-Title"].ShouldBe("Council tests");
        request.Headers["Accept"].ShouldBe("text/event-stream");
        using var body = JsonDocument.Parse(request.Body);
        body.RootElement.GetProperty("model").GetString().ShouldBe("anthropic/claude-sonnet-4");
        body.RootElement.GetProperty("stream").GetBoolean().ShouldBeTrue();
        body.RootElement.GetProperty("stream_options").GetProperty("include_usage").GetBoolean().ShouldBeTrue();
        body.RootElement.GetProperty("messages").EnumerateArray()
            .Select(m => $"{m.GetProperty("role").GetString()}: {m.GetProperty("content").GetString()}")
            .ShouldBe(["system: Answer briefly.", "user: What is the capital of France?"]);
    }

    [Test]
    public async Task Stream_WithIncludeUsageOff_SendsNoStreamOptions(CancellationToken cancellationToken)
    {
        var testId = NewTestId();
        await using var host = await StartHostAsync("replay.openai", testId, cancellationToken, ("IncludeUsage", "false"));

        await host.ProviderFor(Model).StreamAsync(StreamCollector.Ask(Model), cancellationToken).CollectAsync(cancellationToken);

        using var body = JsonDocument.Parse(_server.RequestsOf(testId).ShouldHaveSingleItem().Body);
        body.RootElement.TryGetProperty("stream_options", out _).ShouldBeFalse();
    }

    [Test]
    public async Task Stream_SplitAtAwkwardByteBoundariesWithCrlf_YieldsTheExactText(CancellationToken cancellationToken)
    {
        var recording = RecordedStreamServer.Recording("crlf-multibyte");
        // Guards the recording itself: git must not have normalised its line ends.
        recording.AsSpan().IndexOf("\r\n"u8).ShouldBeGreaterThan(0);
        recording.AsSpan().IndexOf("\n\n"u8).ShouldBe(-1);
        var cuts = RecordedStreamServer.AwkwardBoundaries(recording);
        cuts.Count(c => recording[c - 1] >= 0xC0).ShouldBeGreaterThanOrEqualTo(6, "cuts inside multi-byte characters");
        cuts.Count(c => recording[c - 1] == '\r').ShouldBeGreaterThanOrEqualTo(6, "cuts between CR and LF");
        await using var host = await StartHostAsync("split.crlf-multibyte", NewTestId(), cancellationToken);

        var (chunks, error) = await host.ProviderFor(Model).StreamAsync(StreamCollector.Ask(Model), cancellationToken).CollectAsync(cancellationToken);

        error.ShouldBeNull();
        chunks[0].ShouldBeOfType<KeepAliveChunk>();
        chunks.Content().ShouldBe(
        [
            new TextChunk("Naïve"),
            new TextChunk(" café —"),
            new TextChunk(" 日本語"),
            new TextChunk(" 🙂 done."),
            new FinishChunk("stop"),
        ]);
    }

    [Test]
    public async Task Stream_WhileProviderOnlySendsComments_YieldsKeepAliveBeforeAnyData(CancellationToken cancellationToken)
    {
        await using var host = await StartHostAsync("commentsthenhang", NewTestId(), cancellationToken);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await using var stream = host.ProviderFor(Model).StreamAsync(StreamCollector.Ask(Model), cts.Token).GetAsyncEnumerator(cts.Token);

        (await stream.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken)).ShouldBeTrue();

        stream.Current.ShouldBeOfType<KeepAliveChunk>();
        await cts.CancelAsync();
    }

    [Test]
    public async Task Stream_WithErrorObjectMidStream_KeepsTextThenThrowsProviderMessageAndCode(CancellationToken cancellationToken)
    {
        await using var host = await StartHostAsync("replay.error-midstream", NewTestId(), cancellationToken);

        var (chunks, error) = await host.ProviderFor(Model).StreamAsync(StreamCollector.Ask(Model), cancellationToken).CollectAsync(cancellationToken);

        chunks.Content().ShouldBe([new TextChunk("Partial"), new TextChunk(" answer")]);
        var failure = error.ShouldBeOfType<ProviderException>();
        failure.Message.ShouldBe("Upstream provider disconnected unexpectedly");
        failure.Code.ShouldBe("502");
    }

    [Test]
    public async Task Stream_After429WithRetryAfter_WaitsAsAskedThenSucceeds(CancellationToken cancellationToken)
    {
        var testId = NewTestId();
        await using var host = await StartHostAsync("status429then.openai", testId, cancellationToken);

        var (chunks, error) = await host.ProviderFor(Model).StreamAsync(StreamCollector.Ask(Model), cancellationToken).CollectAsync(cancellationToken);

        error.ShouldBeNull();
        chunks.Text().ShouldBe("Hello there, friend. How can");
        var requests = _server.RequestsOf(testId);
        requests.Count.ShouldBe(2);
        // The backoff alone would wait ~10 ms; Retry-After: 1 asks for a second.
        Stopwatch.GetElapsedTime(requests[0].Timestamp, requests[1].Timestamp).ShouldBeGreaterThan(TimeSpan.FromMilliseconds(900));
    }

    [Test]
    public async Task Stream_When429AsksForLongerThanMaxRetryDelay_FailsAtOnceSayingSo(CancellationToken cancellationToken)
    {
        var testId = NewTestId();
        await using var host = await StartHostAsync("retryafter3600", testId, cancellationToken);

        var (chunks, error) = await host.ProviderFor(Model).StreamAsync(StreamCollector.Ask(Model), cancellationToken).CollectAsync(cancellationToken);

        chunks.ShouldBeEmpty();
        var failure = error.ShouldBeOfType<ProviderException>();
        failure.Message.ShouldBe("Daily quota used up (HTTP 429; asked to retry after 3600 s)");
        failure.Code.ShouldBe("429");
        _server.RequestsOf(testId).Count.ShouldBe(1);
    }

    [Test]
    public async Task Stream_When500Persists_GivesUpAfterMaxAttemptsWithProviderMessage(CancellationToken cancellationToken)
    {
        var testId = NewTestId();
        await using var host = await StartHostAsync("status500", testId, cancellationToken, ("MaxAttempts", "3"));

        var (chunks, error) = await host.ProviderFor(Model).StreamAsync(StreamCollector.Ask(Model), cancellationToken).CollectAsync(cancellationToken);

        chunks.ShouldBeEmpty();
        var failure = error.ShouldBeOfType<ProviderException>();
        failure.Message.ShouldBe("Internal server error at upstream (HTTP 500; gave up after 3 attempts)");
        failure.Code.ShouldBe("500");
        _server.RequestsOf(testId).Count.ShouldBe(3);
    }

    [Test]
    public async Task Stream_WhenUnauthorized_FailsWithoutRetryAndWithoutEchoingTheKey(CancellationToken cancellationToken)
    {
        var testId = NewTestId();
        await using var host = await StartHostAsync("unauthorized", testId, cancellationToken);

        var (_, error) = await host.ProviderFor(Model).StreamAsync(StreamCollector.Ask(Model), cancellationToken).CollectAsync(cancellationToken);

        var failure = error.ShouldBeOfType<ProviderException>();
        failure.Message.ShouldStartWith("Incorrect API key provided: ***.");
        failure.Message.ShouldNotContain(Key);
        failure.Code.ShouldBe("invalid_api_key");
        _server.RequestsOf(testId).Count.ShouldBe(1);
    }

    [Test]
    public async Task Stream_WhenNothingListens_FailsAfterRetriesAsConnectionFailed(CancellationToken cancellationToken)
    {
        int closedPort;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
        }
        await using var host = await ProviderTestHost.StartAsync(Config($"http://127.0.0.1:{closedPort}/v1", ("MaxAttempts", "2")), cancellationToken);

        var (chunks, error) = await host.ProviderFor(Model).StreamAsync(StreamCollector.Ask(Model), cancellationToken).CollectAsync(cancellationToken);

        chunks.ShouldBeEmpty();
        var failure = error.ShouldBeOfType<ProviderException>();
        failure.Code.ShouldBe("connection_failed");
        failure.Message.ShouldStartWith("could not reach 127.0.0.1");
        failure.Message.ShouldEndWith("(gave up after 2 attempts)");
    }

    [Test]
    public async Task Stream_WhenConnectionResetsMidStream_KeepsTextAndFailsWithoutRetry(CancellationToken cancellationToken)
    {
        var testId = NewTestId();
        await using var host = await StartHostAsync("reset.openai", testId, cancellationToken);

        var (chunks, error) = await host.ProviderFor(Model).StreamAsync(StreamCollector.Ask(Model), cancellationToken).CollectAsync(cancellationToken);

        chunks.Content().ShouldBe([new TextChunk("Hello"), new TextChunk(" there")]);
        var failure = error.ShouldBeOfType<ProviderException>();
        failure.Code.ShouldBe("connection_lost");
        failure.Message.ShouldStartWith("the connection to 127.0.0.1 was lost mid-stream");
        _server.RequestsOf(testId).Count.ShouldBe(1);
    }

    [Test]
    public async Task Stream_WithMalformedJsonChunk_FailsWithClearProviderException(CancellationToken cancellationToken)
    {
        await using var host = await StartHostAsync("replay.malformed-chunk", NewTestId(), cancellationToken);

        var (chunks, error) = await host.ProviderFor(Model).StreamAsync(StreamCollector.Ask(Model), cancellationToken).CollectAsync(cancellationToken);

        chunks.Content().ShouldBe([new TextChunk("Fine")]);
        var failure = error.ShouldBeOfType<ProviderException>();
        failure.Code.ShouldBe("malformed_response");
        failure.Message.ShouldStartWith("malformed stream chunk");
        failure.Message.ShouldContain("\"content\":\"bro");
    }

    [TestCase("garbage-then-error", "Model overloaded, try again later", "503")]
    [TestCase("garbage-then-error-data", "Upstream stream reset", "stream_reset")]
    public async Task Stream_WithUnparsableDataThenAnErrorEvent_FailsWithTheProvidersMessage(string recording, string message, string code, CancellationToken cancellationToken)
    {
        await using var host = await StartHostAsync($"replay.{recording}", NewTestId(), cancellationToken);

        var (chunks, error) = await host.ProviderFor(Model).StreamAsync(StreamCollector.Ask(Model), cancellationToken).CollectAsync(cancellationToken);

        chunks.Content().ShouldBe([new TextChunk("Part")]);
        var failure = error.ShouldBeOfType<ProviderException>();
        failure.Message.ShouldBe(message);
        failure.Code.ShouldBe(code);
    }

    [Test]
    public async Task Stream_EndingWithoutFinishReasonOrDone_FailsAsIncomplete(CancellationToken cancellationToken)
    {
        await using var host = await StartHostAsync("replay.truncated", NewTestId(), cancellationToken);

        var (chunks, error) = await host.ProviderFor(Model).StreamAsync(StreamCollector.Ask(Model), cancellationToken).CollectAsync(cancellationToken);

        chunks.Text().ShouldBe("Cut off");
        error.ShouldBeOfType<ProviderException>().Code.ShouldBe("incomplete_stream");
    }

    [Test]
    public async Task Stream_WhenServerAnswersWithWholeJson_YieldsTheAnswer(CancellationToken cancellationToken)
    {
        await using var host = await StartHostAsync("json", NewTestId(), cancellationToken);

        var (chunks, error) = await host.ProviderFor(Model).StreamAsync(StreamCollector.Ask(Model), cancellationToken).CollectAsync(cancellationToken);

        error.ShouldBeNull();
        chunks.ShouldBe([new TextChunk("Whole answer"), new UsageChunk(3, 2, null), new FinishChunk("stop")]);
    }

    [Test]
    public async Task Stream_WhenProviderStalls_CancellationEndsItPromptly(CancellationToken cancellationToken)
    {
        await using var host = await StartHostAsync("hang", NewTestId(), cancellationToken);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await using var stream = host.ProviderFor(Model).StreamAsync(StreamCollector.Ask(Model), cts.Token).GetAsyncEnumerator(cts.Token);
        await ReadUntilTextAsync(stream);

        var cancelAt = Stopwatch.GetTimestamp();
        cts.CancelAfter(TimeSpan.FromMilliseconds(200));
        await Should.ThrowAsync<OperationCanceledException>(async () => await ReadToEndAsync(stream));

        Stopwatch.GetElapsedTime(cancelAt).ShouldBeLessThan(TimeSpan.FromSeconds(5));
    }

    [Test]
    public async Task Cancel_AbortsTheUpstreamRequestAtOnce(CancellationToken cancellationToken)
    {
        var testId = NewTestId();
        await using var host = await StartHostAsync("hang", testId, cancellationToken);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await using var stream = host.ProviderFor(Model).StreamAsync(StreamCollector.Ask(Model), cts.Token).GetAsyncEnumerator(cts.Token);
        await ReadUntilTextAsync(stream);
        var pending = ReadToEndAsync(stream);
        await Task.Delay(50, cancellationToken); // the consumer is now waiting on a silent provider

        var cancelledAt = Stopwatch.GetTimestamp();
        await cts.CancelAsync();
        var abortedAt = await _server.AbortOf(testId).WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);

        var latency = Stopwatch.GetElapsedTime(cancelledAt, abortedAt);
        await TestContext.Out.WriteLineAsync($"Upstream saw the request aborted {latency.TotalMilliseconds:F1} ms after cancellation.");
        latency.ShouldBeLessThan(TimeSpan.FromSeconds(2)); // generous: the aim is ~ms, but no wall-clock flakiness
        await Should.ThrowAsync<OperationCanceledException>(pending);
    }

    [Test]
    public async Task Cancel_WhileTheProviderStillStreams_ClosesTheUpstreamConnectionAtOnce(CancellationToken cancellationToken)
    {
        // An abandoned response whose provider keeps sending is not drained (MaxResponseDrainSize = 0): by default the
        // handler reads on for up to 2 s to reuse the connection, and the provider sees no abort until then.
        var testId = NewTestId();
        await using var host = await StartHostAsync("flood", testId, cancellationToken);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await using var stream = host.ProviderFor(Model).StreamAsync(StreamCollector.Ask(Model), cts.Token).GetAsyncEnumerator(cts.Token);
        await ReadUntilTextAsync(stream);

        var cancelledAt = Stopwatch.GetTimestamp();
        await cts.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(async () => await ReadToEndAsync(stream));
        var abortedAt = await _server.AbortOf(testId).WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);

        var latency = Stopwatch.GetElapsedTime(cancelledAt, abortedAt);
        await TestContext.Out.WriteLineAsync($"Upstream (still streaming) saw the request aborted {latency.TotalMilliseconds:F1} ms after cancellation.");
        latency.ShouldBeLessThan(TimeSpan.FromSeconds(1.5)); // draining would hold it for the handler's 2 s drain time
    }

    [Test]
    public async Task Cancel_WhileWaitingToRetry_EndsTheCallWithoutAnotherTry(CancellationToken cancellationToken)
    {
        var testId = NewTestId();
        await using var host = await StartHostAsync("slow500", testId, cancellationToken, ("MaxAttempts", "5"), ("RetryBaseDelayMs", "60000"));
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var call = host.ProviderFor(Model).StreamAsync(StreamCollector.Ask(Model), cts.Token).CollectAsync(cts.Token);
        while (_server.RequestsOf(testId).Count == 0)
        {
            await Task.Delay(5, cancellationToken);
        }

        await cts.CancelAsync();
        var (_, error) = await call;

        error.ShouldBeAssignableTo<OperationCanceledException>();
        _server.RequestsOf(testId).Count.ShouldBe(1);
    }

    [Test]
    public async Task Dispose_BeforeTheEnd_AbortsTheUpstreamRequest(CancellationToken cancellationToken)
    {
        var testId = NewTestId();
        await using var host = await StartHostAsync("hang", testId, cancellationToken);
        var stream = host.ProviderFor(Model).StreamAsync(StreamCollector.Ask(Model), cancellationToken).GetAsyncEnumerator(cancellationToken);
        await ReadUntilTextAsync(stream);

        await stream.DisposeAsync();

        await _server.AbortOf(testId).WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
    }

    [Test]
    public async Task Logs_NeverContainTheApiKey(CancellationToken cancellationToken)
    {
        await using var ok = await StartHostAsync("replay.openai", NewTestId(), cancellationToken);
        await ok.ProviderFor(Model).StreamAsync(StreamCollector.Ask(Model), cancellationToken).CollectAsync(cancellationToken);
        await using var rejected = await StartHostAsync("unauthorized", NewTestId(), cancellationToken);
        await rejected.ProviderFor(Model).StreamAsync(StreamCollector.Ask(Model), cancellationToken).CollectAsync(cancellationToken);

        var logs = ok.Logs.Concat(rejected.Logs).ToList();
        logs.ShouldContain(l => l.Contains("Request Headers", StringComparison.Ordinal), "HttpClient logged its request headers at trace level");
        logs.ShouldContain(l => l.Contains("Incorrect API key provided", StringComparison.Ordinal), "the failure was logged");
        logs.ShouldAllBe(l => !l.Contains(Key));
    }

    private static async Task ReadUntilTextAsync(IAsyncEnumerator<LlmChunk> stream)
    {
        while (await stream.MoveNextAsync())
        {
            if (stream.Current is TextChunk)
            {
                stream.Current.ShouldBe(new TextChunk("Hello"));
                return;
            }
        }
        throw new AssertionException("the stream ended before any text");
    }

    private static async Task ReadToEndAsync(IAsyncEnumerator<LlmChunk> stream)
    {
        while (await stream.MoveNextAsync())
        {
        }
    }

    private Task<ProviderTestHost> StartHostAsync(string scenario, string testId, CancellationToken cancellationToken, params (string Key, string Value)[] settings) =>
        ProviderTestHost.StartAsync(Config(_server.BaseUrl(scenario, testId), settings), cancellationToken);

    private static Dictionary<string, string?> Config(string baseUrl, params (string Key, string Value)[] settings)
    {
        var config = new Dictionary<string, string?>
        {
            ["Council:Providers:test:BaseUrl"] = baseUrl,
            ["Council:Providers:test:ApiKey"] = Key,
            ["Council:Providers:test:RetryBaseDelayMs"] = "10",
            ["Council:Providers:test:Headers:HTTP-Referer"] = "https://council.example",
            ["Council:Providers:test:Headers:X-Title"] = "Council tests",
        };
        foreach (var (key, value) in settings)
        {
            config[$"Council:Providers:test:{key}"] = value;
        }
        return config;
    }

    private static string NewTestId() => Guid.NewGuid().ToString("N");
}
