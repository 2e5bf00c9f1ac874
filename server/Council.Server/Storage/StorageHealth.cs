namespace Council.Server.Storage;

/// <summary>
/// Whether the run store can commit. The writer marks storage unavailable when commits keep failing after their
/// retries, and available again at the next commit that succeeds; readiness, <c>start_run</c> and running runs
/// read it or are told.
/// </summary>
public sealed class StorageHealth
{
    private readonly Lock _lock = new();
    private readonly List<Action<string>> _listeners = [];
    private string? _reason;

    /// <summary>Why storage cannot take writes now; null while it can.</summary>
    public string? UnavailableReason
    {
        get
        {
            lock (_lock)
            {
                return _reason;
            }
        }
    }

    /// <summary>Calls <paramref name="listener"/> (once) when storage becomes unavailable; at once if it is now.</summary>
    /// <returns>Disposing it stops the listening.</returns>
    public IDisposable WhenUnavailable(Action<string> listener)
    {
        string? now;
        lock (_lock)
        {
            now = _reason;
            if (now is null)
            {
                _listeners.Add(listener);
            }
        }
        if (now is not null)
        {
            listener(now);
            return Registration.None;
        }
        return new Registration(this, listener);
    }

    internal void MarkUnavailable(string reason)
    {
        Action<string>[] listeners;
        lock (_lock)
        {
            if (_reason is not null)
            {
                _reason = reason;
                return;
            }
            _reason = reason;
            listeners = [.. _listeners];
            _listeners.Clear();
        }
        foreach (var listener in listeners)
        {
            listener(reason);
        }
    }

    internal void MarkAvailable()
    {
        lock (_lock)
        {
            _reason = null;
        }
    }

    private void Remove(Action<string> listener)
    {
        lock (_lock)
        {
            _listeners.Remove(listener);
        }
    }

    private sealed class Registration(StorageHealth? health, Action<string>? listener) : IDisposable
    {
        public static readonly Registration None = new(null, null);

        public void Dispose()
        {
            if (listener is not null)
            {
                health?.Remove(listener);
            }
        }
    }
}
