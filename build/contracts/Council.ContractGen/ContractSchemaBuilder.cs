using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization.Metadata;

namespace Council.ContractGen;

/// <summary>
/// Builds the JSON Schema of the wire contract with <see cref="JsonSchemaExporter"/>, from the
/// same <see cref="JsonSerializerOptions"/> the hub uses. Every contract type (a record or enum of
/// the contracts assembly) becomes one entry of <c>$defs</c> and is referenced, never inlined.
/// </summary>
/// <remarks>
/// The wire omits nulls (<c>WhenWritingNull</c>), so a nullable property is written as optional
/// and non-null rather than as a required <c>["T", "null"]</c>: that is what a reader of the wire
/// actually sees, and what lets a validator reject a stray <c>null</c>. Objects are closed
/// (<c>additionalProperties: false</c>) so a field the contract does not describe fails validation.
/// </remarks>
internal sealed class ContractSchemaBuilder(JsonSerializerOptions options, XmlDocs docs, Assembly contracts)
{
    /// <summary>How <c>methods.json</c> refers to a definition of <c>council.schema.json</c>.</summary>
    public const string ExternalRefPrefix = "council.schema.json#/$defs/";

    private const string LocalRefPrefix = "#/$defs/";

    private readonly List<Type> _order = [];
    private readonly HashSet<Type> _seen = [];

    /// <summary>A schema fragment for <paramref name="type"/> that refers into <c>council.schema.json</c>.</summary>
    public JsonNode SchemaFor(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (IsContractType(type))
        {
            Include(type);
            return Ref(type, ExternalRefPrefix);
        }
        return Export(type, ExternalRefPrefix);
    }

    /// <summary>Every definition reached so far and the ones they reach, in discovery order.</summary>
    public JsonObject BuildDefinitions()
    {
        var defs = new JsonObject();
        for (var i = 0; i < _order.Count; i++)
        {
            // Exporting may discover further types, which land at the end of _order.
            defs[_order[i].Name] = Export(_order[i], LocalRefPrefix);
        }
        return defs;
    }

    private void Include(Type type)
    {
        if (_seen.Add(type))
        {
            if (_order.Any(t => t.Name == type.Name))
            {
                throw new InvalidOperationException($"Two contract types are named {type.Name}; $defs keys must be unique.");
            }
            _order.Add(type);
        }
    }

    private bool IsContractType(Type type) =>
        type.Assembly == contracts && (type.IsEnum || (type.IsClass && !type.IsAbstract));

    private static JsonObject Ref(Type type, string prefix) => new() { ["$ref"] = prefix + type.Name };

    private JsonNode Export(Type root, string refPrefix)
    {
        var exporterOptions = new JsonSchemaExporterOptions
        {
            TreatNullObliviousAsNonNullable = true,
            TransformSchemaNode = (context, node) => Transform(root, refPrefix, context, node),
        };
        return JsonSchemaExporter.GetJsonSchemaAsNode(options, root, exporterOptions);
    }

    private JsonNode Transform(Type root, string refPrefix, JsonSchemaExporterContext context, JsonNode node)
    {
        var type = Nullable.GetUnderlyingType(context.TypeInfo.Type) ?? context.TypeInfo.Type;
        var isRoot = context.Path.IsEmpty && type == root;

        if (!isRoot && IsContractType(type))
        {
            Include(type);
            node = Ref(type, refPrefix);
        }
        else if (isRoot && IsContractType(type))
        {
            node = type.IsEnum ? DescribeEnum(type, node.AsObject()) : DescribeObject(context.TypeInfo, node.AsObject());
        }

        if (context.PropertyInfo is { } property && node is JsonObject propertyNode)
        {
            MakeNonNull(propertyNode, property);
        }
        return node;
    }

    private JsonObject DescribeEnum(Type type, JsonObject node)
    {
        var result = Header(type);
        result["type"] = "string";
        result["enum"] = node["enum"]!.DeepClone();
        return result;
    }

    private JsonObject DescribeObject(JsonTypeInfo typeInfo, JsonObject node)
    {
        var type = typeInfo.Type;
        var order = ConstructorOrder(type);
        var jsonProperties = typeInfo.Properties
            .OrderBy(p => order.TryGetValue(p.Name, out var i) ? i : int.MaxValue)
            .ToList();

        var properties = new JsonObject();
        var source = node["properties"]!.AsObject();
        foreach (var jsonProperty in jsonProperties)
        {
            var schema = source[jsonProperty.Name]!.DeepClone().AsObject();
            if (ClrProperty(type, jsonProperty.Name) is { } clr && docs.ForProperty(clr) is { } description && !schema.ContainsKey("$ref"))
            {
                schema = Prepend(schema, "description", description);
            }
            properties[jsonProperty.Name] = schema;
        }

        var result = Header(type);
        result["type"] = "object";
        result["properties"] = properties;
        result["required"] = new JsonArray(jsonProperties.Where(p => !IsNullable(p)).Select(p => (JsonNode)p.Name).ToArray());
        result["additionalProperties"] = false;
        return result;
    }

    private JsonObject Header(Type type)
    {
        var header = new JsonObject { ["title"] = type.Name };
        if (docs.ForType(type) is { } description)
        {
            header["description"] = description;
        }
        return header;
    }

    /// <summary>A property the wire omits when null: drop <c>null</c> from its type; it is simply not required.</summary>
    private static void MakeNonNull(JsonObject node, JsonPropertyInfo property)
    {
        if (!IsNullable(property))
        {
            return;
        }
        if (node["type"] is JsonArray types)
        {
            var remaining = types.Select(t => t!.GetValue<string>()).Where(t => t != "null").ToArray();
            node["type"] = remaining.Length == 1 ? remaining[0] : new JsonArray(remaining.Select(t => (JsonNode)t).ToArray());
        }
        if (node.TryGetPropertyValue("default", out var value) && value is null)
        {
            node.Remove("default");
        }
    }

    private static bool IsNullable(JsonPropertyInfo property) =>
        Nullable.GetUnderlyingType(property.PropertyType) is not null
        || (!property.PropertyType.IsValueType && property.IsGetNullable);

    private static Dictionary<string, int> ConstructorOrder(Type type)
    {
        var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).FirstOrDefault();
        return constructor is null
            ? []
            : constructor.GetParameters().Select((p, i) => (JsonNamingPolicy.CamelCase.ConvertName(p.Name!), i)).ToDictionary(x => x.Item1, x => x.i);
    }

    private static PropertyInfo? ClrProperty(Type type, string jsonName) =>
        type.GetProperties().FirstOrDefault(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name) == jsonName);

    private static JsonObject Prepend(JsonObject node, string key, JsonNode value)
    {
        var result = new JsonObject { [key] = value };
        foreach (var (k, v) in node)
        {
            result[k] = v?.DeepClone();
        }
        return result;
    }
}
