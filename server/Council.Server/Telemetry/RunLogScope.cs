using System.Collections;

namespace Council.Server.Telemetry;

/// <summary>A log scope naming the run, its trace (when traced) and the model (when about one).</summary>
internal sealed class RunLogScope(string runId, string? traceId, string? model) : IReadOnlyList<KeyValuePair<string, object?>>
{
    private readonly KeyValuePair<string, object?>[] _items = Build(runId, traceId, model);

    public int Count => _items.Length;

    public KeyValuePair<string, object?> this[int index] => _items[index];

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => string.Join(", ", _items.Select(i => $"{i.Key}:{i.Value}"));

    private static KeyValuePair<string, object?>[] Build(string runId, string? traceId, string? model)
    {
        var items = new List<KeyValuePair<string, object?>>(3) { new("RunId", runId) };
        if (traceId is not null)
        {
            items.Add(new("TraceId", traceId));
        }
        if (model is not null)
        {
            items.Add(new("Model", model));
        }
        return [.. items];
    }
}
