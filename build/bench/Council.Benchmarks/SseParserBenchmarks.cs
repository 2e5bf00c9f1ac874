using System.Net.ServerSentEvents;
using System.Text;
using BenchmarkDotNet.Attributes;
using Council.Server.Providers;
using Council.Server.Providers.OpenAiCompatible;

namespace Council.Benchmarks;

/// <summary>
/// The OpenAI-compatible provider's read path per SSE event: comment sniffing, <see cref="SseParser"/>, the chunk
/// JSON (source-generated) and the mapping to <see cref="LlmChunk"/>s, over an OpenRouter-shaped stream.
/// </summary>
public class SseParserBenchmarks
{
    private const int Events = 500;
    private byte[] _body = null!;

    [GlobalSetup]
    public void Setup()
    {
        var sse = new StringBuilder(": OPENROUTER PROCESSING\n\n");
        for (var i = 0; i < Events; i++)
        {
            sse.Append("data: {\"id\":\"gen-1763712000-Qm3xYp8RkT2vLw9N\",\"provider\":\"Anthropic\",\"model\":\"anthropic/claude-sonnet-4\",")
                .Append("\"object\":\"chat.completion.chunk\",\"created\":1763712000,\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",")
                .Append("\"content\":\" token").Append(i).Append("\"},\"finish_reason\":null,\"native_finish_reason\":null,\"logprobs\":null}]}\n\n");
            if (i % 50 == 0)
            {
                sse.Append(": OPENROUTER PROCESSING\n\n");
            }
        }
        sse.Append("data: {\"id\":\"gen-1\",\"object\":\"chat.completion.chunk\",\"created\":1763712000,\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],")
            .Append("\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":500,\"total_tokens\":512,\"cost\":0.0012}}\n\ndata: [DONE]\n\n");
        _body = Encoding.UTF8.GetBytes(sse.ToString());
    }

    [Benchmark(OperationsPerInvoke = Events)]
    public async Task<int> ParseStream()
    {
        var keepAlives = 0;
        var text = 0;
        var output = new List<LlmChunk>(4);
        var mapper = new OpenAiChunkMapper();
        await using var sniffer = new CommentSniffingStream(new MemoryStream(_body, writable: false), () => keepAlives++);
        await foreach (var item in SseParser.Create(sniffer, OpenAiSseEvent.Parse).EnumerateAsync())
        {
            if (item.Data.IsDone)
            {
                break;
            }
            output.Clear();
            if (item.Data.Chunk is { } chunk)
            {
                mapper.Accept(chunk, output, out _);
            }
            text += output.Count;
        }
        output.Clear();
        mapper.Flush(output);
        return text + output.Count + keepAlives;
    }
}
