using Council.Contracts.Messages;
using Council.Server.Storage;

namespace Council.Server.Grains;

/// <summary>
/// Events of a run on their way to another node, in seq order, each in its wire JSON and type (the form storage keeps,
/// so they arrive exactly as the grain's node has them).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record RelayedEvents(
    [property: Id(0)] string[] Types,
    [property: Id(1)] string[] Payloads)
{
    public static RelayedEvents From(IReadOnlyList<RunEvent> events)
    {
        var types = new string[events.Count];
        var payloads = new string[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            types[i] = StoredEvents.TypeOf(events[i]);
            payloads[i] = StoredEvents.Serialize(events[i]);
        }
        return new RelayedEvents(types, payloads);
    }

    public int Count => Types.Length;

    public List<RunEvent> ToEvents()
    {
        var events = new List<RunEvent>(Types.Length);
        for (var i = 0; i < Types.Length; i++)
        {
            events.Add(StoredEvents.Deserialize(Types[i], Payloads[i]));
        }
        return events;
    }
}
