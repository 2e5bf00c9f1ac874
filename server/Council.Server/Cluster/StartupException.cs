namespace Council.Server.Cluster;

/// <summary>
/// The server cannot start as configured (a setting is missing, or a service it names cannot be reached); the
/// message names the setting. Program prints it and exits with code 1, without a stack trace.
/// </summary>
public sealed class StartupException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>Says why the server does not start (one line, no stack trace); returns the exit code, 1.</summary>
    public int Report()
    {
        Console.Error.WriteLine($"Council cannot start: {Message}");
        return 1;
    }

    /// <summary>The first <see cref="StartupException"/> in <paramref name="exception"/> or its inner exceptions.</summary>
    public static StartupException? Find(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is StartupException startup)
            {
                return startup;
            }
            if (e is AggregateException { InnerExceptions.Count: > 0 } aggregate)
            {
                return aggregate.InnerExceptions.Select(Find).FirstOrDefault(s => s is not null);
            }
        }
        return null;
    }
}
