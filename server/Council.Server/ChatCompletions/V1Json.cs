using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Council.Server.Providers.OpenAiCompatible.Wire;

namespace Council.Server.ChatCompletions;

/// <summary>
/// The OpenAI wire types as <c>/v1</c> writes them: relaxed escaping, since a JSON body or an SSE line is never HTML,
/// so model text in any language and ids with <c>&amp;</c> go out as UTF-8, not <c>\uXXXX</c> (a third of the bytes).
/// </summary>
internal static class V1Json
{
    public static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    public static readonly OpenAiJsonContext Context = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = Encoder,
    });

    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = Encoder, SkipValidation = true };
}
