using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Council.Server.Tests.Telemetry;

/// <summary>
/// A stand-in OpenTelemetry collector on loopback: accepts OTLP over HTTP/protobuf (<c>/v1/traces</c>,
/// <c>/v1/metrics</c>) and over gRPC (HTTP/2 without TLS), and keeps each request's protobuf body by signal.
/// </summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private OtlpReceiver(WebApplication app) => _app = app;

    public ConcurrentQueue<(string Signal, string Protocol, byte[] Body)> Requests { get; } = new();

    public string HttpEndpoint => _app.Urls.First();

    public string GrpcEndpoint => _app.Urls.Last();

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(System.Net.IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http1);
            k.Listen(System.Net.IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2);
        });
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/{signal}", async (string signal, HttpContext context) =>
        {
            receiver.Requests.Enqueue((signal, "http/protobuf", await ReadAsync(context.Request.Body)));
            context.Response.ContentType = "application/x-protobuf";
        });
        app.MapPost("/opentelemetry.proto.collector.{signal}.v1.{service}/Export", async (string signal, HttpContext context) =>
        {
            var body = await ReadAsync(context.Request.Body);
            receiver.Requests.Enqueue((signal == "trace" ? "traces" : signal, "grpc", body.Length >= 5 ? body[5..] : body));
            context.Response.ContentType = "application/grpc";
            context.Response.AppendTrailer("grpc-status", "0");
            await context.Response.Body.WriteAsync(new byte[5]); // an empty response message
        });
        await app.StartAsync();
        return receiver;
    }

    /// <summary>Bodies of one signal, every request's concatenated.</summary>
    public byte[] All(string signal) => Requests.Where(r => r.Signal == signal).SelectMany(r => r.Body).ToArray();

    /// <summary>
    /// Whether a resource or span attribute with this string value was sent: the protobuf bytes of
    /// <c>KeyValue { key, value: AnyValue { string_value } }</c> (short strings only).
    /// </summary>
    public static bool HasStringAttribute(byte[] body, string key, string value)
    {
        var k = Encoding.UTF8.GetBytes(key);
        var v = Encoding.UTF8.GetBytes(value);
        byte[] pattern = [.. k, 0x12, (byte)(v.Length + 2), 0x0A, (byte)v.Length, .. v];
        return body.AsSpan().IndexOf(pattern) >= 0;
    }

    public static bool Contains(byte[] body, string text) => body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;

    private static async Task<byte[]> ReadAsync(Stream body)
    {
        using var copy = new MemoryStream();
        await body.CopyToAsync(copy);
        return copy.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
