using System.Text.Json;
using System.Text.Json.Serialization;

namespace Council.Server.ChatCompletions;

/// <summary>
/// The body of <c>POST /v1/chat/completions</c>, as far as Council reads it; other fields of the OpenAI API
/// (temperature, tools, …) are accepted and ignored.
/// </summary>
public sealed record ChatCompletionsRequest
{
    public string? Model { get; init; }

    public IReadOnlyList<ChatCompletionsMessage>? Messages { get; init; }

    public bool? Stream { get; init; }

    public ChatCompletionsStreamOptions? StreamOptions { get; init; }

    /// <summary>How many choices; a council gives one.</summary>
    public int? N { get; init; }

    /// <summary>Council's own extension: who sits on the council, and how it streams.</summary>
    public CouncilRequestOptions? Council { get; init; }
}

/// <summary>A message of the conversation; <see cref="Content"/> is a string or an array of parts.</summary>
public sealed record ChatCompletionsMessage
{
    public string? Role { get; init; }

    public JsonElement? Content { get; init; }
}

/// <summary><c>stream_options</c>; the final chunk carries usage whatever it says.</summary>
public sealed record ChatCompletionsStreamOptions
{
    public bool? IncludeUsage { get; init; }
}

/// <summary>
/// The <c>council</c> object of a request (extra body fields in the official SDKs): overrides the server's defaults.
/// Unknown fields are refused, so a misspelled one is not silently ignored.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CouncilRequestOptions
{
    public IReadOnlyList<string>? Models { get; init; }

    public string? Chairman { get; init; }

    public bool? Search { get; init; }

    public CouncilQuorumOptions? Quorum { get; init; }

    /// <summary>Which delta field carries the reasoning: <c>both</c> (default), <c>reasoning</c>, <c>reasoning_content</c>, <c>none</c>.</summary>
    public string? ReasoningField { get; init; }
}

/// <summary><c>council.quorum</c>: start the reviews after this many answers, or at the deadline with at least one.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CouncilQuorumOptions
{
    public int? Answers { get; init; }

    public int? DeadlineMs { get; init; }
}
