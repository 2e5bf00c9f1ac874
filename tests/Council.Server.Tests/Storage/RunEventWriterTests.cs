using System.Text;
using Council.Contracts.Messages;
using Council.Server.Storage;
using Microsoft.Data.Sqlite;

namespace Council.Server.Tests.Storage;

public class RunEventWriterTests
{
    private static readonly RunEvent[] EveryKind =
    [
        new StageProgressEvent("r", 1, 0, "answers", StageStatus.Started, 0, 2, 0, [], ["sim/a", "sim/b"]),
        new ModelStartEvent("r", 2, 0, "sim/a"),
        new TokenEvent("r", 3, 0, "sim/a", " naïve — 日本語 \"quoted\" \\ <tag> 😀"),
        new SearchResultsEvent("r", 4, 0, [new SearchResult("t", "https://example.com/?a=1&b=2", "s")]),
        new ModelCompleteEvent("r", 5, 0, "sim/a", ModelStatus.Ok, "naïve", null, 10, 20, new Usage(1, 2, 0.5m, null)),
        new RunCompleteEvent("r", 6, RunStatus.Ok, "naïve — done", null, null, new RunMetrics(1, 2, 3, null, [])),
    ];

    [Test]
    public void Utf8TypeOf_IsTypeOfInUtf8_ForEveryKind()
    {
        foreach (var e in EveryKind)
        {
            Encoding.UTF8.GetString(StoredEvents.Utf8TypeOf(e)).ShouldBe(StoredEvents.TypeOf(e));
        }
    }

    [Test]
    public async Task Apply_StoresTheSameTextAsSerialize()
    {
        await using var storage = await TestStorage.StartAsync();
        using var connection = storage.Database.Open();
        using (var run = connection.CreateCommand())
        {
            run.CommandText = """
                INSERT INTO conversations (id, title, created_at, updated_at) VALUES ('c', 't', 0, 0);
                INSERT INTO runs (id, conversation_id, prompt, workflow, models, chairmen, status, created_at) VALUES ('r', 'c', 'p', 'council', '[]', '[]', 'running', 0);
                """;
            run.ExecuteNonQuery();
        }

        using (var transaction = connection.BeginTransaction())
        {
            using (var writer = new RunEventWriter(connection, transaction))
            {
                foreach (var e in EveryKind)
                {
                    writer.Apply(e, DateTimeOffset.UnixEpoch);
                }
            }
            transaction.Commit();
        }

        using var select = connection.CreateCommand();
        select.CommandText = "SELECT seq, type, payload, typeof(payload) FROM run_events WHERE run_id = 'r' ORDER BY seq";
        using var reader = select.ExecuteReader();
        var rows = new List<(long Seq, string Type, string Payload, string Storage)>();
        while (reader.Read())
        {
            rows.Add((reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
        }
        rows.ShouldBe(EveryKind.Select(e => (e.Seq, StoredEvents.TypeOf(e), StoredEvents.Serialize(e), "text")));
    }
}
