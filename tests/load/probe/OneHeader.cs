using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Council.LoadProbe;

/// <summary>
/// A read-only dictionary of exactly one message header that is also its own enumerator, so writing it allocates
/// nothing beyond this object (a <see cref="Dictionary{TKey,TValue}"/> costs its buckets, entries and a boxed
/// enumerator per message). Enumerations must not overlap, which holds for a protocol writing one message.
/// </summary>
internal sealed class OneHeader(string key, string value) : IDictionary<string, string>, IEnumerator<KeyValuePair<string, string>>
{
    private int _position = -1;

    public string this[string k]
    {
        get => k == key ? value : throw new KeyNotFoundException(k);
        set => throw new NotSupportedException();
    }

    public ICollection<string> Keys => [key];

    public ICollection<string> Values => [value];

    public int Count => 1;

    public bool IsReadOnly => true;

    public KeyValuePair<string, string> Current => new(key, value);

    object IEnumerator.Current => Current;

    public bool ContainsKey(string k) => k == key;

    public bool TryGetValue(string k, [MaybeNullWhen(false)] out string v)
    {
        v = k == key ? value : null;
        return v is not null;
    }

    public bool Contains(KeyValuePair<string, string> item) => item.Key == key && item.Value == value;

    public void CopyTo(KeyValuePair<string, string>[] array, int arrayIndex) => array[arrayIndex] = Current;

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator()
    {
        _position = -1;
        return this;
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public bool MoveNext() => ++_position == 0;

    public void Reset() => _position = -1;

    public void Dispose()
    {
    }

    public void Add(string k, string v) => throw new NotSupportedException();

    public void Add(KeyValuePair<string, string> item) => throw new NotSupportedException();

    public bool Remove(string k) => throw new NotSupportedException();

    public bool Remove(KeyValuePair<string, string> item) => throw new NotSupportedException();

    public void Clear() => throw new NotSupportedException();
}
