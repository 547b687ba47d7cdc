using Ktizo.Core.Yaml;
using Ktizo.Testing;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using static Ktizo.Core.Tests.Yaml.YamlKit;

namespace Ktizo.Core.Tests.Yaml;

public class YamlCloneTests
{
    [Fact]
    public void Deep_WhenCopyIsWritten_GivesTheOriginalsBytes()
    {
        AssertCopyWritesTheSameBytes(Docs(TalosShapedConfig("controlplane-v1.13.yaml")));
    }

    [TalosReferenceFact]
    public void Deep_WhenCopyOfATalosGeneratedConfigIsWritten_GivesTheOriginalsBytes()
    {
        AssertCopyWritesTheSameBytes(Docs(TalosExample("v1.13/base-controlplane.yaml")));
    }

    [Fact]
    public void Deep_WhenCopyIsMergedInto_LeavesTheOriginalAsItWas()
    {
        AssertMergeIntoCopyLeavesOriginal(Docs(TalosShapedConfig("controlplane-v1.13.yaml")));
    }

    [TalosReferenceFact]
    public void Deep_WhenCopyOfATalosGeneratedConfigIsMergedInto_LeavesTheOriginalAsItWas()
    {
        AssertMergeIntoCopyLeavesOriginal(Docs(TalosExample("v1.13/base-controlplane.yaml")));
    }

    [Fact]
    public void Deep_WhenNodeHasStyleAndTag_KeepsThem()
    {
        var document = new YamlDocument(new YamlMappingNode
        {
            { "quoted", new YamlScalarNode("1") { Style = ScalarStyle.DoubleQuoted } },
            { "tagged", new YamlScalarNode("2") { Style = ScalarStyle.Plain, Tag = "tag:yaml.org,2002:str" } },
        });

        var copy = (YamlMappingNode)YamlClone.Deep(document).RootNode;

        Assert.Equal(ScalarStyle.DoubleQuoted, ((YamlScalarNode)copy["quoted"]).Style);
        Assert.Equal("tag:yaml.org,2002:str", ((YamlScalarNode)copy["tagged"]).Tag.Value);
        Assert.NotSame(document.RootNode, copy);
    }

    private static void AssertCopyWritesTheSameBytes(List<YamlDocument> original)
    {
        Assert.Equal(Text(original), Text(YamlClone.Deep(original)));
    }

    private static void AssertMergeIntoCopyLeavesOriginal(List<YamlDocument> template)
    {
        var before = Text(template);

        var copy = YamlClone.Deep(template);
        Assert.Empty(StrategicMerge.Apply(copy, Docs("machine:\n  type: worker\n  certSANs: [10.0.0.1]\n  kubelet:\n    image: other\n---\napiVersion: v1alpha1\nkind: HostnameConfig\n$patch: delete\n"), "p"));
        ((YamlScalarNode)copy[0].RootNode["cluster"]["clusterName"]).Value = "changed";

        Assert.Equal(before, Text(template));
        Assert.NotEqual(before, Text(copy));
    }
}
