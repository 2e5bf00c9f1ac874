using System.Text.Json.Serialization;

namespace Council.Floor;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(FloorToken))]
[JsonSerializable(typeof(FloorProbeFigures))]
internal sealed partial class FloorJsonContext : JsonSerializerContext;
