using System.Text.Json;
using Council.Server.Providers.OpenAiCompatible.Wire;
using Council.Server.Providers.Simulated;
using Council.Server.Providers.Simulated.OpenAiApi;
using Council.Server.Workflows;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Council.Server.ChatCompletions;

/// <summary>
/// <c>/v1</c>: the OpenAI chat-completions API of this server. <c>council</c> and <c>council/&lt;workflow&gt;</c> run a
/// council; simulated model ids are answered by the simulated models themselves. Bodies are checked here, once,
/// and every refusal is an OpenAI error body with its status.
/// </summary>
internal sealed partial class ChatCompletionsEndpoint(
    CouncilCompletions councils,
    SimulatedChatCompletions simulated,
    SimulatedProvider simulatedModels,
    WorkflowCatalog workflows,
    IOptions<CouncilOptions> options,
    ILogger<ChatCompletionsEndpoint> logger)
{
    public Task ListModelsAsync(HttpContext context) =>
        context.Response.WriteAsJsonAsync(
            new ModelList("list",
            [
                .. CouncilModelIds.All(workflows).Select(id => new ModelEntry(id, "model", 0, CouncilModelIds.Council)),
                .. simulatedModels.ListModels().Select(m => new ModelEntry(m.Id, "model", 0, SimulatedProvider.ProviderName)),
            ]),
            V1Json.Context.ModelList,
            contentType: null,
            context.RequestAborted);

    public async Task CompleteAsync(HttpContext context)
    {
        try
        {
            var body = await ReadAsync(context);
            if (body.Model is not { Length: > 0 } model)
            {
                throw OpenAiErrorException.BadRequest("'model' is required: 'council', 'council/<workflow>' or a model of GET /v1/models.", "missing_model");
            }
            if (body.N is { } n && n != 1)
            {
                throw OpenAiErrorException.BadRequest($"'n' is {n}; this server gives one choice per request.", "unsupported_parameter");
            }
            if (body.Messages is not { Count: > 0 })
            {
                throw OpenAiErrorException.BadRequest("'messages' must hold at least one message.", "missing_messages");
            }
            if (!CouncilModelIds.TryParse(model, out var workflow))
            {
                await simulated.CompleteAsync(context, new ChatCompletionRequest
                {
                    Model = model,
                    Messages = body.Messages.Select(m => new WireMessage(m?.Role ?? "user", m?.Content ?? default)).ToArray(),
                    Stream = body.Stream,
                    StreamOptions = body.StreamOptions is { } so ? new StreamOptions(so.IncludeUsage == true) : null,
                });
                return;
            }
            if (workflow is not null && workflows.Find(workflow) is null)
            {
                throw OpenAiErrorException.ModelNotFound(
                    $"The model '{model}' does not exist here: there is no workflow '{workflow}'. Councils: {string.Join(", ", CouncilModelIds.All(workflows))}.");
            }
            await councils.CompleteAsync(context, body, model, workflow);
        }
        catch (OpenAiErrorException error) when (!context.Response.HasStarted)
        {
            await error.WriteAsync(context.Response);
        }
        catch (Exception ex) when (!context.RequestAborted.IsCancellationRequested && ex is not OpenAiErrorException)
        {
            LogFailed(logger, ex);
            if (!context.Response.HasStarted)
            {
                await new OpenAiErrorException().WriteAsync(context.Response);
            }
        }
    }

    /// <summary>Unknown paths under <c>/v1</c>: a 404 an OpenAI client understands (not the web client's page).</summary>
    public static Task NotFoundAsync(HttpContext context) =>
        new OpenAiErrorException(StatusCodes.Status404NotFound, $"Unknown endpoint {context.Request.Method} {context.Request.Path}: this server has GET /v1/models and POST /v1/chat/completions.",
            "invalid_request_error", "unknown_url").WriteAsync(context.Response);

    private async Task<ChatCompletionsRequest> ReadAsync(HttpContext context)
    {
        // Room for the longest conversation even if every character is escaped, and little beyond.
        var maxChars = (long)options.Value.MaxPromptChars * ChatConversation.ConversationToPromptRatio;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = maxChars * 6 + 64 * 1024;
        }
        try
        {
            return await JsonSerializer.DeserializeAsync(context.Request.Body, ChatCompletionsJsonContext.Default.ChatCompletionsRequest, context.RequestAborted)
                ?? throw OpenAiErrorException.BadRequest("The body must be a JSON object: { \"model\", \"messages\", \"stream\"? }.", "invalid_body");
        }
        catch (JsonException ex)
        {
            var where = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "" : $" at {ex.Path}";
            var why = ex.Message.Contains("could not be mapped", StringComparison.Ordinal)
                ? $"has an unknown field{where} (the council object takes models, chairman, search, quorum {{ answers, deadline_ms }}, reasoning_field)"
                : ex.Message.Contains("could not be converted", StringComparison.Ordinal)
                    ? $"has a value of the wrong type{where}"
                    : $"is not valid JSON{where}: {FirstSentence(ex.Message)}";
            throw OpenAiErrorException.BadRequest($"The request body {why}.", "invalid_body");
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw new OpenAiErrorException(StatusCodes.Status413PayloadTooLarge, $"The request body is too large: a conversation may have at most {maxChars} characters.",
                "invalid_request_error", "request_too_large");
        }
    }

    private static string FirstSentence(string message) => message.Split(". Path:", 2)[0].TrimEnd('.');

    [LoggerMessage(Level = LogLevel.Error, Message = "A /v1/chat/completions request failed inside the server")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
