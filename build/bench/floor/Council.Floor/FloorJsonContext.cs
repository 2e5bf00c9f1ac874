using System.Text.Json.Serialization;

namespace Council.Floor;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(FloorToken))]
internal sealed partial class FloorJsonContext : JsonSerializerContext;
