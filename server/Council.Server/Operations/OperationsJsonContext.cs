using System.Text.Json;
using System.Text.Json.Serialization;

namespace Council.Server.Operations;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(StatsSnapshot))]
[JsonSerializable(typeof(ReadinessReport))]
internal sealed partial class OperationsJsonContext : JsonSerializerContext;
