using Council.Server.Tests.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Council.Server.Tests.Hub;

/// <summary>A refused hub call (bad input, a limit) is logged once, as a line without a stack; never as an error.</summary>
[CancelAfter(60_000)]
public sealed class RefusalLoggingTests
{
    [Test]
    public async Task RefusedCalls_AreLoggedOnce_WithoutErrorsOrStacks(CancellationToken cancellationToken)
    {
        var logs = new LogCollector();
        await using var app = new CouncilApp(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Information",
            ["Council:MaxInvocationsPerSecond"] = "2",
        }, services => services.AddSingleton<ILoggerProvider>(logs)).Start();
        await using var hub = await app.ConnectAsync(cancellationToken);

        (string Method, object Argument, string Says)[] refused =
        [
            ("start_run", new { prompt = "" }, "prompt is empty"),
            ("resume_run", new { runId = "f00", afterSeq = 0 }, "Unknown run"),
            ("start_run", new { prompt = 42 }, "Path: $.prompt"),
            ("cancel_run", new { runId = "f00" }, "Too many calls"),
        ];
        foreach (var (method, argument, says) in refused)
        {
            var error = await Should.ThrowAsync<InvalidOperationException>(() => hub.InvokeAsync(method, argument, cancellationToken));
            error.Message.ShouldContain(says);
        }

        var entries = logs.Entries.Where(e => e.Level >= LogLevel.Information && !e.Category.StartsWith("Microsoft.Hosting", StringComparison.Ordinal)).ToArray();
        entries.ShouldNotContain(e => e.Level >= LogLevel.Error, string.Join("\n", entries.Select(e => $"{e.Level} {e.Category}: {e.Message}")));
        foreach (var (_, _, says) in refused)
        {
            var lines = entries.Where(e => e.Message.Contains(says, StringComparison.Ordinal)).ToArray();
            lines.Length.ShouldBe(1, $"'{says}': {string.Join(" | ", lines.Select(e => e.Category))}");
            lines[0].Level.ShouldBeOneOf(LogLevel.Information, LogLevel.Warning);
            lines[0].Message.ShouldNotContain("   at ");
        }
    }
}
