using System.Net;
using System.Text.Json;
using Council.Server.Tests.Telemetry;
using Microsoft.Data.Sqlite;

namespace Council.Server.Tests.Storage;

/// <summary>
/// Storage that stops taking writes mid-run: nothing is dropped in silence. The server says it is not ready and why,
/// refuses new runs, ends the running ones failed with the reason, and once the disk has room again every event a
/// client received is in the database.
/// </summary>
[CancelAfter(60_000)]
public sealed class StorageOutageTests
{
    private const string LongModel = "sim/long?ttft=10&tps=200&tokens=20000";
    private static readonly string[] QuickModel = ["sim/a?ttft=1&tps=1000&tokens=5"];

    private static Dictionary<string, string?> Settings(string databasePath) => new()
    {
        ["Council:Storage:Path"] = databasePath,
        ["Council:Storage:CommitRetries"] = "3",
        ["Council:Storage:RetryDelayMs"] = "10",
        ["Council:Storage:MaxRetryDelayMs"] = "50",
    };

    [Test]
    public async Task DiskFillsMidRun_RunFailsWithTheReason_ReadyzSaysWhy_StartRunRefused_NothingReceivedIsMissing(CancellationToken cancellationToken)
    {
        using var disk = TmpfsMount.TryMount(sizeKb: 2048, out var whyNot);
        if (disk is null)
        {
            Assert.Ignore(whyNot!);
            return;
        }
        var databasePath = Path.Combine(disk.Path, "council.db");
        await using var app = new CouncilApp(Settings(databasePath)).Start();
        using var http = app.Http();
        await using var hub = await app.ConnectAsync(cancellationToken);

        var result = await hub.InvokeAsync("start_run", new { prompt = "Tell a long story.", models = new[] { LongModel } }, cancellationToken);
        var runId = result.GetProperty("runId").GetString()!;
        var received = new List<long>();
        JsonElement end = default;
        var filler = "";
        await foreach (var (target, payload) in hub.Messages.ReadAllAsync(cancellationToken))
        {
            if (payload.GetProperty("runId").GetString() != runId)
            {
                continue;
            }
            received.Add(payload.GetProperty("seq").GetInt64());
            if (target == "token" && filler.Length == 0 && received.Count > 20)
            {
                filler = disk.Fill();
            }
            if (target == "run_complete")
            {
                end = payload;
                break;
            }
        }

        filler.ShouldNotBeEmpty("the disk filled while the run was going");
        end.GetProperty("status").GetString().ShouldBe("failed");
        end.GetProperty("error").GetString()!.ShouldContain("Storage is unavailable");
        end.GetProperty("error").GetString()!.ShouldContain("full");
        received.ShouldBe(Enumerable.Range(1, received.Count).Select(i => (long)i), "every seq in order");

        using (var ready = await http.GetAsync(new Uri("/readyz", UriKind.Relative), cancellationToken))
        {
            ready.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
            (await ready.Content.ReadAsStringAsync(cancellationToken)).ShouldContain("full");
        }
        var refused = await Should.ThrowAsync<InvalidOperationException>(() =>
            hub.InvokeAsync("start_run", new { prompt = "Another one.", models = new[] { LongModel } }, cancellationToken));
        refused.Message.ShouldContain("Storage is unavailable");

        // Room again: the writer's retries get everything in, and the server is ready again.
        File.Delete(filler);
        await WaitUntilReadyAsync(http, cancellationToken);

        using var connection = new SqliteConnection($"Data Source={databasePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        var stored = new List<long>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT seq FROM run_events WHERE run_id = $id ORDER BY seq";
            command.Parameters.AddWithValue("$id", runId);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                stored.Add(reader.GetInt64(0));
            }
        }
        stored.ShouldBe(received, "no event a client received is missing from storage");
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT status, error FROM runs WHERE id = $id";
            command.Parameters.AddWithValue("$id", runId);
            using var reader = command.ExecuteReader();
            reader.Read().ShouldBeTrue();
            reader.GetString(0).ShouldBe("failed");
            reader.GetString(1).ShouldContain("Storage is unavailable");
        }
    }

    [Test]
    public async Task DatabaseFileReadOnly_ReadyzSaysWhy_StartRunRefused_UntilItIsWritableAgain(CancellationToken cancellationToken)
    {
        var folder = Path.Combine(Path.GetTempPath(), "council-tests", Guid.NewGuid().ToString("N"));
        var databasePath = Path.Combine(folder, "council.db");
        try
        {
            // A database with its schema, then made read-only before the server starts (SQLite then opens it
            // read-only without an error, and every write would fail).
            await using (var first = new CouncilApp(Settings(databasePath)).Start())
            {
            }
            SqliteConnection.ClearAllPools();
            var readOnly = TmpfsMount.TryMakeReadOnly(databasePath, out var whyNot);
            if (readOnly is null)
            {
                Assert.Ignore(whyNot!);
                return;
            }
            await using var app = new CouncilApp(Settings(databasePath)).Start();
            using var http = app.Http();
            await using var hub = await app.ConnectAsync(cancellationToken);
            try
            {
                using (var ready = await http.GetAsync(new Uri("/readyz", UriKind.Relative), cancellationToken))
                {
                    ready.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
                    (await ready.Content.ReadAsStringAsync(cancellationToken)).ShouldContain("read-only");
                }
                var refused = await Should.ThrowAsync<InvalidOperationException>(() =>
                    hub.InvokeAsync("start_run", new { prompt = "Hello?", models = QuickModel }, cancellationToken));
                refused.Message.ShouldContain("Storage is unavailable");
                refused.Message.ShouldContain("read-only");
            }
            finally
            {
                readOnly.Dispose();
            }

            // Writable again: ready by itself, and runs are taken and stored.
            await WaitUntilReadyAsync(http, cancellationToken);
            var result = await hub.InvokeAsync("start_run", new { prompt = "Hello?", models = QuickModel }, cancellationToken);
            var runId = result.GetProperty("runId").GetString()!;
            var end = await hub.WaitForAsync("run_complete", p => p.GetProperty("runId").GetString() == runId, cancellationToken);
            end.GetProperty("status").GetString().ShouldBe("ok");
            using var stored = await http.GetAsync(new Uri($"/api/runs/{runId}", UriKind.Relative), cancellationToken);
            stored.StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task WaitUntilReadyAsync(HttpClient http, CancellationToken cancellationToken)
    {
        while (true)
        {
            using var ready = await http.GetAsync(new Uri("/readyz", UriKind.Relative), cancellationToken);
            if (ready.StatusCode == HttpStatusCode.OK)
            {
                return;
            }
            await Task.Delay(50, cancellationToken);
        }
    }
}
