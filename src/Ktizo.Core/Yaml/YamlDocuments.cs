using Ktizo.Core.Validation;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Ktizo.Core.Yaml;

/// <summary>Parses YAML text into documents, turning every problem into a located diagnostic.</summary>
public static class YamlDocuments
{
    public static IReadOnlyList<YamlDocument> Parse(string text, string file, out IReadOnlyList<Diagnostic> errors)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            errors = [new Diagnostic("yaml-syntax", e.InnerException?.Message ?? e.Message, new SourceLocation(file, (int)e.Start.Line, (int)e.Start.Column))];
            return [];
        }

        errors = [];
        return stream.Documents.ToList();
    }
}
