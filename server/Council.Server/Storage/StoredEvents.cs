using System.Text.Json;
using Council.Contracts;
using Council.Contracts.Hub;
using Council.Contracts.Messages;
using System.Data.Common;

namespace Council.Server.Storage;

/// <summary>How events are kept in <c>run_events</c>: the hub method name and the wire JSON.</summary>
internal static class StoredEvents
{
    public static string TypeOf(RunEvent runEvent) => runEvent switch
    {
        TokenEvent => HubMethodNames.Token,
        StageProgressEvent => HubMethodNames.StageProgress,
        ModelStartEvent => HubMethodNames.ModelStart,
        ModelCompleteEvent => HubMethodNames.ModelComplete,
        SearchResultsEvent => HubMethodNames.SearchResults,
        RunCompleteEvent => HubMethodNames.RunComplete,
        _ => throw new ArgumentOutOfRangeException(nameof(runEvent), runEvent.GetType().Name, null),
    };

    /// <summary><see cref="TypeOf"/> in UTF-8.</summary>
    public static ReadOnlySpan<byte> Utf8TypeOf(RunEvent runEvent) => runEvent switch
    {
        TokenEvent => "token"u8,
        StageProgressEvent => "stage_progress"u8,
        ModelStartEvent => "model_start"u8,
        ModelCompleteEvent => "model_complete"u8,
        SearchResultsEvent => "search_results"u8,
        RunCompleteEvent => "run_complete"u8,
        _ => throw new ArgumentOutOfRangeException(nameof(runEvent), runEvent.GetType().Name, null),
    };

    public static string Serialize(RunEvent runEvent) =>
        JsonSerializer.Serialize(runEvent, runEvent.GetType(), CouncilJsonContext.Default);

    public static RunEvent Deserialize(string type, string payload)
    {
        var c = CouncilJsonContext.Default;
        return type switch
        {
            HubMethodNames.Token => (RunEvent?)JsonSerializer.Deserialize(payload, c.TokenEvent),
            HubMethodNames.StageProgress => JsonSerializer.Deserialize(payload, c.StageProgressEvent),
            HubMethodNames.ModelStart => JsonSerializer.Deserialize(payload, c.ModelStartEvent),
            HubMethodNames.ModelComplete => JsonSerializer.Deserialize(payload, c.ModelCompleteEvent),
            HubMethodNames.SearchResults => JsonSerializer.Deserialize(payload, c.SearchResultsEvent),
            HubMethodNames.RunComplete => JsonSerializer.Deserialize(payload, c.RunCompleteEvent),
            _ => null,
        } ?? throw new InvalidDataException($"Stored event of unknown type '{type}'.");
    }

    /// <summary>Every stored event of a run in seq order.</summary>
    public static List<RunEvent> Load(DbConnection connection, string runId, DbTransaction? transaction = null)
    {
        using var command = RunStore.Command(connection, transaction, "SELECT type, payload FROM run_events WHERE run_id = $run ORDER BY seq");
        command.Set("$run", runId);
        using var reader = command.ExecuteReader();
        var events = new List<RunEvent>();
        while (reader.Read())
        {
            events.Add(Deserialize(reader.GetString(0), reader.GetString(1)));
        }
        return events;
    }

    /// <summary>The wire name of a status ("ok", "cancelled", …).</summary>
    public static string Wire<T>(T status) where T : struct, Enum =>
        JsonSerializer.Serialize(status, typeof(T), CouncilJsonContext.Default).Trim('"');
}
