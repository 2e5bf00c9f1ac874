using System.Text.Encodings.Web;
using System.Text.Json;

namespace Council.Server.Hub.MessagePack;

/// <summary>
/// The buffers one thread uses to write or read a message: the MessagePack payload, the JSON an argument is
/// serialized to, and the <see cref="Utf8JsonWriter"/> over it. One set per thread is rented for the length
/// of one (synchronous) call and handed back, so a message costs no allocation once a thread has warmed up.
/// </summary>
internal sealed class TranscodingScratch
{
    /// <summary>Buffers that grew past this (a long answer) are released rather than kept by the thread.</summary>
    private const int MaxRetainedBytes = 64 * 1024;

    private const int InitialBytes = 1024;

    // The JSON never leaves the server, so it needs no HTML-safe escaping: fewer escapes to undo.
    private static readonly JsonWriterOptions JsonOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    [ThreadStatic]
    private static TranscodingScratch? t_cached;

    private TranscodingScratch()
    {
        JsonWriter = new Utf8JsonWriter(Json, JsonOptions);
    }

    public PooledBufferWriter Payload { get; private set; } = new(InitialBytes);

    public PooledBufferWriter Json { get; private set; } = new(InitialBytes);

    public Utf8JsonWriter JsonWriter { get; }

    public static TranscodingScratch Rent()
    {
        var scratch = t_cached ?? new TranscodingScratch();
        t_cached = null; // A nested call on this thread gets its own set.
        scratch.Payload.Clear();
        return scratch;
    }

    public static void Return(TranscodingScratch scratch)
    {
        if (scratch.Payload.Capacity > MaxRetainedBytes)
        {
            scratch.Payload.Dispose();
            scratch.Payload = new PooledBufferWriter(InitialBytes);
        }
        if (scratch.Json.Capacity > MaxRetainedBytes)
        {
            scratch.Json.Dispose();
            scratch.Json = new PooledBufferWriter(InitialBytes);
        }
        t_cached = scratch;
    }

    /// <summary>Clears the JSON buffer and returns the writer, ready for one value.</summary>
    public Utf8JsonWriter StartJson()
    {
        Json.Clear();
        JsonWriter.Reset(Json);
        return JsonWriter;
    }
}
