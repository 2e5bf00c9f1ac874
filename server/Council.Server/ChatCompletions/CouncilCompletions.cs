using System.Text;
using Council.Contracts.Messages;
using Council.Server.Auth;
using Council.Server.Grains;
using Council.Server.Hub;
using Council.Server.Providers.OpenAiCompatible.Wire;
using Council.Server.Workflows;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Council.Server.ChatCompletions;

/// <summary>
/// Runs a council for <c>/v1/chat/completions</c>: plans it like <c>start_run</c> (same checks, same per-user
/// limits), starts it as a normal run, and answers as a reasoning model does, streamed (SSE) or whole. A client
/// that goes away cancels the run.
/// </summary>
public sealed partial class CouncilCompletions(
    RunPlanner planner,
    CouncilRunBridge runs,
    IOptions<CouncilOptions> options,
    TimeProvider time,
    ILogger<CouncilCompletions> logger)
{
    /// <summary>The response header that names the run, for <c>GET /api/runs/{id}</c> or <c>resume_run</c>.</summary>
    public const string RunHeader = "X-Council-Run";

    public async Task CompleteAsync(HttpContext context, ChatCompletionsRequest body, string model, string? workflow)
    {
        var cancellationToken = context.RequestAborted;
        var owner = CouncilUser.Id(context.User);
        var conversation = ChatConversation.From(body.Messages, options.Value.MaxPromptChars);
        var council = body.Council;
        var field = ReasoningFields.Parse(council?.ReasoningField);
        RunPlan plan;
        try
        {
            var quorum = council?.Quorum is { } q ? new Quorum(q.Answers, q.DeadlineMs) : null;
            plan = await planner.PlanAsync(
                new StartRunRequest(conversation.Question, workflow, council?.Models, council?.Chairman, null, council?.Search, quorum),
                owner, cancellationToken);
        }
        catch (InvalidRunRequestException ex)
        {
            throw OpenAiErrorException.BadRequest(ex.Message, "invalid_council");
        }
        plan = plan with { History = conversation.History };
        context.Response.Headers[RunHeader] = plan.RunId;
        var completion = new Completion("chatcmpl-" + plan.RunId, model, time.GetUtcNow().ToUnixTimeSeconds(), field);
        var ended = false;
        try
        {
            ended = body.Stream == true
                ? await StreamAsync(context, plan, completion, cancellationToken)
                : await CompleteWholeAsync(context, plan, completion, cancellationToken);
        }
        catch (RunRefusedException ex)
        {
            // A per-user limit, met as the run was to start: nothing went out yet, and no run goes by the header's id.
            context.Response.Headers.Remove(RunHeader);
            throw OpenAiErrorException.TooManyRequests(ex.Refusal.Message, ex.Refusal.RetryAfter);
        }
        catch (Exception ex) when (cancellationToken.IsCancellationRequested && ex is OperationCanceledException or IOException)
        {
            // The client went away: nobody is left to answer, and the run is cancelled below.
        }
        finally
        {
            if (!ended && await runs.CancelAsync(plan))
            {
                LogCancelled(logger, plan.RunId);
            }
        }
    }

    /// <returns>True when the run had ended (its <c>run_complete</c> was read).</returns>
    private async Task<bool> StreamAsync(HttpContext context, RunPlan plan, Completion completion, CancellationToken cancellationToken)
    {
        // Started before anything goes out: the id a client sees names a run the hub and /api already know. The
        // heading then leaves at once, before the grain has even asked a provider, so before any member token.
        var log = await StartAsync(plan, completion, stream: true);
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await response.StartAsync(cancellationToken);

        var writer = new CompletionChunkWriter(response, completion.Id, completion.Model, completion.Created, completion.Field);
        var narrator = new CouncilNarrator(plan);
        await writer.RoleAsync(cancellationToken);
        foreach (var piece in narrator.Begin())
        {
            await writer.PieceAsync(piece, cancellationToken);
        }
        await foreach (var runEvent in runs.ReadAsync(log, cancellationToken))
        {
            foreach (var piece in narrator.Apply(runEvent))
            {
                await writer.PieceAsync(piece, cancellationToken);
            }
            switch (runEvent)
            {
                case StageProgressEvent { Status: StageStatus.Running }:
                    await writer.KeepAliveAsync(cancellationToken);
                    break;
                case RunCompleteEvent end:
                    if (Failure(end) is { } failure)
                    {
                        await writer.FailAsync(failure, Usage(end.Metrics), cancellationToken);
                    }
                    else
                    {
                        await writer.FinishAsync("stop", Usage(end.Metrics), cancellationToken);
                    }
                    await writer.DoneAsync(cancellationToken);
                    return true;
            }
        }
        return false;
    }

    private async Task<bool> CompleteWholeAsync(HttpContext context, RunPlan plan, Completion completion, CancellationToken cancellationToken)
    {
        var log = await StartAsync(plan, completion, stream: false);
        var narrator = new CouncilNarrator(plan);
        var reasoning = new StringBuilder();
        foreach (var piece in narrator.Begin())
        {
            reasoning.Append(piece.Text);
        }
        await foreach (var runEvent in runs.ReadAsync(log, cancellationToken))
        {
            foreach (var piece in narrator.Apply(runEvent))
            {
                if (!piece.IsContent)
                {
                    reasoning.Append(piece.Text);
                }
            }
            if (runEvent is not RunCompleteEvent end)
            {
                continue;
            }
            if (Failure(end) is { } failure)
            {
                await failure.WriteAsync(context.Response);
                return true;
            }
            var text = reasoning.ToString();
            var delta = CompletionChunkWriter.ReasoningDelta(text, completion.Field);
            await context.Response.WriteAsJsonAsync(new ChatCompletion
            {
                Id = completion.Id,
                ObjectType = "chat.completion",
                Created = completion.Created,
                Model = completion.Model,
                Choices =
                [
                    new CompletionChoice
                    {
                        Index = 0,
                        Message = new CompletionMessage
                        {
                            Role = Providers.ChatRole.Assistant,
                            Content = end.Final ?? "",
                            Reasoning = delta.Reasoning,
                            ReasoningContent = delta.ReasoningContent,
                        },
                        FinishReason = "stop",
                    },
                ],
                Usage = Usage(end.Metrics),
            }, V1Json.Context.ChatCompletion, contentType: null, cancellationToken);
            return true;
        }
        return false;
    }

    private async Task<RunEventLog> StartAsync(RunPlan plan, Completion completion, bool stream)
    {
        var log = await runs.StartAsync(plan);
        LogStarted(logger, plan.RunId, completion.Model, stream);
        return log;
    }

    /// <summary>Why a run that ended was not a success: failed (502, the models failed) or cancelled (409, by its owner elsewhere).</summary>
    private static OpenAiErrorException? Failure(RunCompleteEvent end) => end.Status switch
    {
        RunStatus.Ok => null,
        RunStatus.Cancelled => new OpenAiErrorException(StatusCodes.Status409Conflict, $"The run was cancelled: {end.Error}", "server_error", "run_cancelled"),
        _ => new OpenAiErrorException(StatusCodes.Status502BadGateway, $"The council failed: {end.Error}", "server_error", "run_failed"),
    };

    /// <summary>The usage of every call of the run, cancelled and failed ones included, with cost where known.</summary>
    private static WireUsage Usage(RunMetrics metrics) => new()
    {
        PromptTokens = metrics.PromptTokens,
        CompletionTokens = metrics.CompletionTokens,
        TotalTokens = metrics.PromptTokens + metrics.CompletionTokens,
        Cost = metrics.Cost,
    };

    private sealed record Completion(string Id, string Model, long Created, ReasoningField Field);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} started over /v1/chat/completions as {Model} (stream: {Stream})")]
    private static partial void LogStarted(ILogger logger, string runId, string model, bool stream);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} cancelled: its /v1/chat/completions client went away")]
    private static partial void LogCancelled(ILogger logger, string runId);
}
