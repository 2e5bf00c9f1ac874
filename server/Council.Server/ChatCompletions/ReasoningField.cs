namespace Council.Server.ChatCompletions;

/// <summary>Which delta field carries the reasoning (<c>council.reasoning_field</c>).</summary>
public enum ReasoningField
{
    /// <summary><c>reasoning</c> (OpenRouter) and <c>reasoning_content</c> (DeepSeek, vLLM, llama.cpp): the default.</summary>
    Both,
    Reasoning,
    ReasoningContent,

    /// <summary>No reasoning at all: only the final answer.</summary>
    None,
}

public static class ReasoningFields
{
    public static ReasoningField Parse(string? value) => value switch
    {
        null or "both" => ReasoningField.Both,
        "reasoning" => ReasoningField.Reasoning,
        "reasoning_content" => ReasoningField.ReasoningContent,
        "none" => ReasoningField.None,
        _ => throw OpenAiErrorException.BadRequest($"council.reasoning_field is '{value}'; use both, reasoning, reasoning_content or none.", "invalid_council"),
    };
}
