using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Council.ContractGen;

/// <summary>
/// The <c>///</c> summaries of the contracts assembly, as plain text, so the schema and the
/// generated TypeScript carry the same documentation as the C# records.
/// </summary>
internal sealed partial class XmlDocs
{
    private readonly Dictionary<string, string> _summaries = new(StringComparer.Ordinal);

    private XmlDocs() { }

    public static XmlDocs Load(Assembly assembly)
    {
        var docs = new XmlDocs();
        var path = Path.ChangeExtension(assembly.Location, ".xml");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"XML documentation of {assembly.GetName().Name} not found; it must be built with GenerateDocumentationFile.", path);
        }

        foreach (var member in XDocument.Load(path).Descendants("member"))
        {
            var name = (string?)member.Attribute("name");
            var summary = member.Element("summary");
            if (name is not null && summary is not null)
            {
                docs._summaries[name] = ToPlainText(summary);
            }
        }
        return docs;
    }

    public string? ForType(Type type) => _summaries.GetValueOrDefault("T:" + type.FullName);

    public string? ForProperty(PropertyInfo property) =>
        _summaries.GetValueOrDefault($"P:{property.DeclaringType!.FullName}.{property.Name}");

    public string? ForMethod(MethodInfo method)
    {
        var parameters = method.GetParameters();
        var id = $"M:{method.DeclaringType!.FullName}.{method.Name}";
        if (parameters.Length > 0)
        {
            id += "(" + string.Join(",", parameters.Select(p => p.ParameterType.FullName)) + ")";
        }
        return _summaries.GetValueOrDefault(id);
    }

    private static string ToPlainText(XElement element)
    {
        var text = new StringBuilder();
        foreach (var node in element.Nodes())
        {
            text.Append(node switch
            {
                XText t => t.Value,
                XElement { Name.LocalName: "see" or "seealso" } e => ShortName((string?)e.Attribute("cref") ?? (string?)e.Attribute("langword") ?? e.Value),
                XElement { Name.LocalName: "paramref" or "typeparamref" } e => JsonCamelCase((string?)e.Attribute("name") ?? ""),
                XElement { Name.LocalName: "c" } e => "`" + e.Value + "`",
                XElement e => ToPlainText(e),
                _ => "",
            });
        }
        return Whitespace().Replace(text.ToString(), " ").Trim();
    }

    // "T:Council.Contracts.Hub.HubMethodNames.HubPath" -> "HubPath"
    private static string ShortName(string cref) => cref[(cref.LastIndexOf('.') + 1)..];

    private static string JsonCamelCase(string name) => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(name);

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
