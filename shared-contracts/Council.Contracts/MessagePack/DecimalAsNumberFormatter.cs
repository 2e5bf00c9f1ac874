using MessagePack;
using MessagePack.Formatters;

namespace Council.Contracts.MessagePack;

/// <summary>
/// Writes a <see cref="decimal"/> as a MessagePack float64, the number JSON carries and JavaScript reads; reads any
/// MessagePack number (and the string form the MessagePack library writes for decimals by default) back.
/// Named on the contract's decimal members, so every .NET client reads them with the default resolver.
/// </summary>
public sealed class DecimalAsNumberFormatter : IMessagePackFormatter<decimal?>
{
    /// <inheritdoc />
    public void Serialize(ref MessagePackWriter writer, decimal? value, MessagePackSerializerOptions options)
    {
        if (value is { } number)
        {
            writer.Write((double)number);
        }
        else
        {
            writer.WriteNil();
        }
    }

    /// <inheritdoc />
    public decimal? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Nil:
                reader.ReadNil();
                return null;
            case MessagePackType.Float:
                // Through the shortest text that round-trips the double: 0.0012 comes back as 0.0012, not 0.00119999….
                return decimal.Parse(reader.ReadDouble().ToString("R", System.Globalization.CultureInfo.InvariantCulture),
                    System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture);
            case MessagePackType.Integer:
                return reader.ReadInt64();
            case MessagePackType.String:
                return decimal.Parse(reader.ReadString()!, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture);
            default:
                throw new MessagePackSerializationException($"Expected a number, got {reader.NextMessagePackType}.");
        }
    }
}
