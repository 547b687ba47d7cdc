using System.Text.Json.Nodes;

namespace Ktizo.Testing;

/// <summary>
/// Talos-shaped test data of this project's own writing (tests/Ktizo.Testing/TalosShaped/): configs in the
/// form Talos's generator writes them and a small schema in the form of Talos's config.schema.json. The
/// writer, merge and schema checks run on these on any checkout; the same properties are checked again on
/// the official material when it is there (<see cref="TalosReference"/>).
/// </summary>
public static class TalosShaped
{
    /// <summary>The schema: strict (no unknown keys) for every document kind the example repository renders.</summary>
    public static string Schema => File("config.schema.json");

    public static string File(string name) => Path.Combine(ExampleRepository.Root, "tests", "Ktizo.Testing", "TalosShaped", name);

    public static string ReadText(string name) => System.IO.File.ReadAllText(File(name));

    /// <summary>
    /// Writes <see cref="Schema"/> without the branch for document <paramref name="kind"/> to
    /// <paramref name="destination"/>, as an older Talos release's schema that does not know that kind.
    /// </summary>
    public static string SchemaWithout(string kind, string destination)
    {
        var schema = JsonNode.Parse(System.IO.File.ReadAllText(Schema))!;
        var oneOf = schema["oneOf"]!.AsArray();
        var branch = oneOf.Single(b => schema["$defs"]![b!["$ref"]!.GetValue<string>().Split('/').Last()]!["properties"]?["kind"]?["enum"]?[0]?.GetValue<string>() == kind);
        oneOf.Remove(branch);
        System.IO.File.WriteAllText(destination, schema.ToJsonString());
        return destination;
    }
}
