using System.Text.Json.Serialization;

namespace Council.Server.ChatCompletions;

/// <summary>Source-generated JSON for request bodies of <c>/v1/chat/completions</c> (snake_case like the OpenAI API).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ChatCompletionsRequest))]
public sealed partial class ChatCompletionsJsonContext : JsonSerializerContext;
