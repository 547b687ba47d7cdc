using YamlDotNet.RepresentationModel;

namespace Ktizo.Core.Yaml;

/// <summary>
/// Deep copies of YamlDotNet trees: for a config that <see cref="StrategicMerge"/> may change and that
/// must not be shared. (The renderer does not copy its base templates: it passes their nodes as shared
/// to the merge, which copies only the containers it changes.)
/// </summary>
public static class YamlClone
{
    /// <summary>A copy sharing no node with <paramref name="document"/> (values, styles and tags kept; source positions are not).</summary>
    public static YamlDocument Deep(YamlDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return new YamlDocument(Node(document.RootNode, stripDirectives: false));
    }

    /// <summary>Copies every document, for use as a config that <see cref="StrategicMerge.Apply"/> may change.</summary>
    public static List<YamlDocument> Deep(IReadOnlyList<YamlDocument> documents)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var copies = new List<YamlDocument>(documents.Count);
        for (var i = 0; i < documents.Count; i++)
        {
            copies.Add(Deep(documents[i]));
        }

        return copies;
    }

    /// <summary>
    /// Copies a node. With <paramref name="stripDirectives"/>, patch directives are left out:
    /// <c>$patch</c> keys, keys whose value is a <c>$patch</c> mapping, and list items carrying <c>$patch</c>.
    /// </summary>
    internal static YamlNode Node(YamlNode node, bool stripDirectives)
    {
        switch (node)
        {
            case YamlScalarNode scalar:
                return new YamlScalarNode(scalar.Value) { Style = scalar.Style, Tag = scalar.Tag };

            case YamlMappingNode mapping:
            {
                var copy = new YamlMappingNode { Style = mapping.Style, Tag = mapping.Tag };
                var children = mapping.Children;
                for (var i = 0; i < children.Count; i++)
                {
                    var (key, value) = children[i];
                    if (stripDirectives && (PatchDirectives.IsDirectiveKey(key) || PatchDirectives.HasDirective(value)))
                    {
                        continue;
                    }

                    copy.Children.Add(Node(key, stripDirectives), Node(value, stripDirectives));
                }

                return copy;
            }

            case YamlSequenceNode sequence:
            {
                var copy = new YamlSequenceNode { Style = sequence.Style, Tag = sequence.Tag };
                var children = sequence.Children;
                for (var i = 0; i < children.Count; i++)
                {
                    var item = children[i];
                    if (stripDirectives && PatchDirectives.HasDirective(item))
                    {
                        continue;
                    }

                    copy.Children.Add(Node(item, stripDirectives));
                }

                return copy;
            }

            default:
                throw new ArgumentException($"unsupported YAML node {node.GetType().Name}", nameof(node));
        }
    }
}
