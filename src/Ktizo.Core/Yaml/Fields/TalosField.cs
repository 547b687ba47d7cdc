namespace Ktizo.Core.Yaml.Fields;

/// <summary>
/// How Talos's merge (pkg/machinery/config/merge/merge.go) treats one field of a config document, from the
/// field's Go type: what a patch value does to the config's value there. The generated tables
/// (<c>TalosV1_*Fields</c>, written by tools/generate-merge-fields.py) give one per field path.
/// </summary>
internal enum TalosField
{
    /// <summary>A string held by value: a patch <c>""</c> leaves the config's value.</summary>
    String,

    /// <summary>An integer or float held by value: a patch 0 leaves the config's value.</summary>
    Number,

    /// <summary>A bool held by value: false replaces too, and a merge that reaches its struct without it resets it.</summary>
    Bool,

    /// <summary>A scalar held by pointer: any non-null patch value replaces, <c>""</c> and 0 included.</summary>
    Pointer,

    /// <summary>A scalar of a type the tables do not look into (durations, enums, addresses): replaced unless <c>""</c>.</summary>
    Opaque,

    /// <summary><c>[]byte</c>: always replaced whole.</summary>
    Bytes,

    /// <summary>A struct held by value: always there for a delete to walk through, even when the YAML omits it.</summary>
    Struct,

    /// <summary>A struct held by pointer: absent until set; a delete through it fails when it is absent.</summary>
    PointerStruct,

    /// <summary>A list: the patch items are appended.</summary>
    List,

    /// <summary>A map: merged key by key; deleting a key it does not have fails.</summary>
    Map,

    /// <summary>A value inside <c>map[string]any</c>: YAML's own types, which must agree between config and patch.</summary>
    Any,

    /// <summary><c>merge:"replace"</c>: the patch value replaces the config's whole.</summary>
    Replace,

    /// <summary>Args.Merge: a map whose values the patch replaces whole, string or list.</summary>
    Args,

    /// <summary>NetworkDeviceList.Merge: items matched on <c>interface</c>, or on an equal <c>deviceSelector</c>, and merged.</summary>
    Interfaces,

    /// <summary>VlanList.Merge: items matched on <c>vlanId</c> and merged.</summary>
    Vlans,

    /// <summary>AdmissionPluginConfigList.Merge: items matched on <c>name</c> and merged.</summary>
    AdmissionPlugins,

    /// <summary>ConfigFileList.Merge: items matched on <c>mountPath</c> and merged.</summary>
    ConfigFiles,

    /// <summary>ImageVerificationRules.Merge: an item matched on <c>image</c> is replaced whole.</summary>
    ImageRules,

    /// <summary>ByteSize/PercentageSize.Merge: replaced by the patch value, and cleared when the patch's struct lacks it.</summary>
    Atomic,

    /// <summary>meta.Prefix/Addr/AddrPort.Merge (v1.14): replaced unless the patch value is empty.</summary>
    AtomicUnlessZero,
}

/// <summary>One generated fact: in document <paramref name="Kind"/> (<c>v1alpha1</c> for the legacy one), the field at
/// <paramref name="Path"/> (<c>a.b</c>, <c>list[]</c> for items, <c>map.*</c> for values) merges as <paramref name="Field"/>;
/// <paramref name="Source"/> is its Go file and line under pkg/machinery/config/types.</summary>
internal readonly record struct FieldEntry(string Kind, string Path, TalosField Field, string Source);
