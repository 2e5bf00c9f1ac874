using System.Text.Json.Serialization;

namespace Council.Server.Providers.OpenAiCompatible.Wire;

/// <summary>The body of <c>GET /models</c>.</summary>
public sealed record ModelList([property: JsonPropertyName("object")] string ObjectType, IReadOnlyList<ModelEntry> Data);

/// <summary>An entry of <c>GET /models</c>.</summary>
public sealed record ModelEntry(string Id, [property: JsonPropertyName("object")] string ObjectType, long Created, string OwnedBy);
