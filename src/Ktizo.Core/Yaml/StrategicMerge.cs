// Talos strategic merge, on YAML trees. These are the rules users rely on; tests pin each one
// (tests/Ktizo.Core.Tests/Yaml/StrategicMergeTests.cs).
//
// Sources, all in siderolabs/talos: pkg/machinery/config/configpatcher/strategic.go (documents),
// pkg/machinery/config/merge/merge.go (values), the `merge:"replace"` tags and Merge() methods in
// pkg/machinery/config/types/** (special fields), and
// pkg/machinery/config/configloader/internal/decoder/delete.go + selector.go (`$patch: delete`).
//
// Order. Apply takes one patch file (one or more documents), in Talos's order (config/container/container.go,
// Documents): the v1alpha1 document's deletes, its merge, then every other document in file order, each one's
// deletes right before its merge. So a patch can delete an interface and add it back fresh in the same file.
//
// Fields. What a value does depends on the Talos field it lands on: Fields/TalosV1_*Fields.cs, generated from
// Talos's Go structs for each supported minor, give every field's kind (MergeRules walks them as a key tree,
// one dictionary lookup per key). Apply takes the cluster's talosVersion to pick the table.
//
// Documents.
//  1. A document's identity is apiVersion + kind + name (name only when the document has one). The
//     v1alpha1 document is the one without apiVersion and kind (it has `version: v1alpha1`; a patch
//     may leave that out, as Talos patches usually do); there is at most one.
//  2. A patch document merges into the config document with the same identity. An unmatched patch
//     document is appended to the config, after the existing ones, in patch order (its `$patch`
//     directives left out). A v1alpha1 patch document holding nothing but `version` changes nothing.
//  3. A patch document with `kind` but no `apiVersion`, or the other way round, is an error
//     (`patch-document-identity`), as in Talos's decoder.
//
// Values (one patch value merged onto the config value under the same key; merge/merge.go).
//  4. Mappings merge key by key, recursively. Keys new to the config are added after its existing keys.
//  5. Scalars replace scalars, except Go zero values on fields Talos holds by value: "" on a string, 0 on a
//     number leave the config's value (`machine.install.disk: ""` keeps /dev/sda). On a field held by
//     pointer they replace; `false` always replaces. A null patch value (`key:`, `~`) changes nothing. In
//     free-form maps (map[string]any) the YAML types decide: zero values keep, and a value of another YAML
//     type is `patch-type-mismatch`. A field no table knows is replaced, as before.
//  6. A null config value is replaced by the patch value, whatever its kind.
//  7. Lists append: the patch items go after the config items.
//  8. Keyed lists (types with their own Merge()) merge item by item; an unmatched patch item is appended:
//       interfaces       on `interface`, or an equal `deviceSelector`   (NetworkDeviceList.Merge)
//       vlans            on `vlanId`                                  (VlanList.Merge)
//       admissionControl on `name`                                    (AdmissionPluginConfigList.Merge)
//       configFiles      on `mountPath` (ExtensionServiceConfig)      (ConfigFileList.Merge)
//       rules            on `image` (ImageVerificationConfig): the matched rule is replaced whole, and
//                        only the config's own rules are matched      (ImageVerificationRules.Merge)
//  9. Replace fields take the patch value whole, list or mapping: `merge:"replace"` tags, Args values
//     (extraArgs from v1.13: a value may change from string to list), ByteSize/PercentageSize, []byte.
//     ByteSize fields absent from a patch struct that Talos merges are cleared (ByteSize.Merge copies the
//     patch's empty value), and so are bools held by value (false is always merged).
// 10. Patching a mapping with a list or a scalar, a list with a mapping, and so on, is an error
//     (`patch-type-mismatch`, at the patch value); the config value stays as it was.
//
// Deletes (`$patch: delete`; any other `$patch` value is an error, `patch-unknown-directive`;
// configloader/internal/decoder/delete.go and selector.go).
// 11. `key: {$patch: delete}` removes `key` from the config. A struct field that is not set is no error (Talos
//     zeroes it); a missing map key (`nodeLabels.x`) is `patch-delete-missing`, and so is a missing pointer
//     struct or map on the way (Talos's "lookup failed"); a struct held by value is always there.
// 12. A list item `{name: x, $patch: delete}` removes the first config item whose `name` (the item's first key
//     other than `$patch`) equals `x` as text; no such item is `patch-delete-missing`. Talos compares the Go
//     field's text, so a number, bool or pointer field never matches: `patch-delete-key-type`.
// 13. `$patch: delete` at the top of a patch document, next to apiVersion/kind(/name), removes the matching
//     config document; there must be one (`patch-delete-missing`). The v1alpha1 document cannot be deleted,
//     and deletes inside a list item are not supported (both `patch-delete-unsupported`, as in Talos).
// 14. The same document (apiVersion + kind + name) twice in one patch file is `patch-duplicate-document`
//     (configloader/internal/decoder/decoder.go); a whole-document delete does not count.
//
// The patch is never changed, and no node of it ends up in the config (inserted values are copies),
// so one parsed patch can be applied to many configs. Likewise the config may share nodes with other
// configs (a base template, not copied for each device): a mapping or list among the `shared` nodes
// that must change is copied first (its children stay shared) and the copy takes its place, so only
// the few containers a patch reaches are ever copied.

using Ktizo.Core.Validation;
using Ktizo.Core.Yaml.Fields;
using YamlDotNet.RepresentationModel;

namespace Ktizo.Core.Yaml;

/// <summary>Applies Talos strategic-merge patches to a config; the rules are at the top of this file.</summary>
public static class StrategicMerge
{
    /// <summary>
    /// Merges <paramref name="patch"/> (the documents of one patch file) into <paramref name="config"/>,
    /// which is changed in place. Returns the problems found, located in <paramref name="patchFile"/>;
    /// parts of the patch without problems are applied regardless.
    /// </summary>
    /// <param name="shared">
    /// Nodes of <paramref name="config"/> that other configs hold too and that must not change (see
    /// <see cref="SharedNodes"/>); null when the config is this caller's alone.
    /// </param>
    /// <param name="talosVersion">
    /// The cluster's Talos version (<c>v1.13.9</c>): whose field table decides the per-field rules. Null, or a
    /// version without a table, uses <see cref="MergeRules.DefaultMinor"/>'s.
    /// </param>
    public static IReadOnlyList<Diagnostic> Apply(List<YamlDocument> config, IReadOnlyList<YamlDocument> patch, string patchFile, IReadOnlySet<YamlNode>? shared = null, string? talosVersion = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(patch);
        ArgumentNullException.ThrowIfNull(patchFile);

        var merger = new Merger(patchFile, shared, talosVersion);
        merger.Run(config, patch);
        return (IReadOnlyList<Diagnostic>?)merger.Diagnostics ?? [];
    }

    /// <summary>Every node of <paramref name="documents"/>, by reference: what <see cref="Apply"/> must leave as it is.</summary>
    public static IReadOnlySet<YamlNode> SharedNodes(IReadOnlyList<YamlDocument> documents)
    {
        var nodes = new HashSet<YamlNode>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<YamlNode>(documents.Select(d => d.RootNode));
        while (pending.TryPop(out var node))
        {
            if (!nodes.Add(node))
            {
                continue;
            }

            switch (node)
            {
                case YamlMappingNode mapping:
                    foreach (var (key, value) in mapping.Children)
                    {
                        pending.Push(key);
                        pending.Push(value);
                    }

                    break;
                case YamlSequenceNode sequence:
                    foreach (var item in sequence.Children)
                    {
                        pending.Push(item);
                    }

                    break;
            }
        }

        return nodes;
    }

    private readonly record struct DocumentId(bool IsV1Alpha1, string ApiVersion, string Kind, string Name);

    private sealed class Merger(string patchFile, IReadOnlySet<YamlNode>? shared, string? talosVersion)
    {
        public List<Diagnostic>? Diagnostics { get; private set; }

        // Keys from the document root to the node being merged, for messages only.
        private readonly List<string> path = new(16);

        public void Run(List<YamlDocument> config, IReadOnlyList<YamlDocument> patch)
        {
            var ids = new List<DocumentId?>(config.Count + patch.Count);
            for (var i = 0; i < config.Count; i++)
            {
                ids.Add(config[i].RootNode is YamlMappingNode root ? Identify(root) : null);
            }

            // Identity of each patch document to carry out, or null when it is skipped (an error, or empty).
            var patchIds = new DocumentId?[patch.Count];
            HashSet<DocumentId>? seen = null;
            for (var p = 0; p < patch.Count; p++)
            {
                if (patch[p].RootNode is not YamlMappingNode root)
                {
                    Report("patch-type-mismatch", $"a patch document must be a mapping, not {Describe(patch[p].RootNode)}", patch[p].RootNode);
                    continue;
                }

                if (root.Children.Count == 0)
                {
                    continue;
                }

                if (Identify(root) is not { } id)
                {
                    Report("patch-document-identity", "a patch document needs both `apiVersion` and `kind`, or neither (the v1alpha1 document)", root);
                    continue;
                }

                // Talos's decoder refuses a document twice in one file; a whole-document delete and a
                // v1alpha1 document left with nothing but deletes are not documents to it.
                var isDocumentDelete = root.Children.ContainsKey(PatchDirectives.Key);
                if (!isDocumentDelete && !(id.IsV1Alpha1 && OnlyIdentityKeys(root)) && !(seen ??= []).Add(id))
                {
                    var name = id.Name.Length > 0 ? $" named '{id.Name}'" : "";
                    Report("patch-duplicate-document", $"this patch has the {(id.IsV1Alpha1 ? "v1alpha1" : id.Kind)} document{name} twice; Talos refuses that, merge them into one", root);
                    continue;
                }

                patchIds[p] = id;
            }

            // Talos's order within one patch file: the v1alpha1 deletes, the v1alpha1 merge, then every other
            // document in file order, each document's deletes right before its merge.
            for (var p = 0; p < patch.Count; p++)
            {
                if (patchIds[p] is { IsV1Alpha1: true } id)
                {
                    Carry(config, ids, id, (YamlMappingNode)patch[p].RootNode);
                }
            }

            for (var p = 0; p < patch.Count; p++)
            {
                if (patchIds[p] is { IsV1Alpha1: false } id)
                {
                    Carry(config, ids, id, (YamlMappingNode)patch[p].RootNode);
                }
            }
        }

        private void Carry(List<YamlDocument> config, List<DocumentId?> ids, DocumentId id, YamlMappingNode root)
        {
            if (root.Children.TryGetValue(PatchDirectives.Key, out var directive))
            {
                if (IsDelete(directive))
                {
                    DeleteDocument(config, ids, id, root);
                }

                return;
            }

            var rules = MergeRules.For(talosVersion, id.IsV1Alpha1, id.Kind);
            var index = IndexOf(ids, id);
            path.Clear();
            ApplyDeletes(root, index >= 0 ? OwnRoot(config, index) : null, documentExists: index >= 0, rules);

            path.Clear();
            if (index >= 0 && OwnRoot(config, index) is { } target)
            {
                MergeMapping(target, root, rules);
            }
            else if (index < 0 && !(id.IsV1Alpha1 && OnlyIdentityKeys(root)))
            {
                config.Add(new YamlDocument(YamlClone.Node(root, stripDirectives: true)));
                ids.Add(id);
            }
        }

        // ---- documents ----

        private static DocumentId? Identify(YamlMappingNode root)
        {
            var kind = ScalarText(root, MergeKeys.Kind);
            var apiVersion = ScalarText(root, MergeKeys.ApiVersion);
            return (kind, apiVersion) switch
            {
                (null, null) => new DocumentId(true, "", "", ""),
                (not null, not null) => new DocumentId(false, apiVersion, kind, ScalarText(root, MergeKeys.Name) ?? ""),
                _ => null,
            };
        }

        private static int IndexOf(List<DocumentId?> ids, DocumentId id)
        {
            for (var i = 0; i < ids.Count; i++)
            {
                if (ids[i] == id)
                {
                    return i;
                }
            }

            return -1;
        }

        private static bool OnlyIdentityKeys(YamlMappingNode root)
        {
            var children = root.Children;
            for (var i = 0; i < children.Count; i++)
            {
                var (key, value) = children[i];
                if (!(key is YamlScalarNode { Value: "version" or "kind" or "name" } || OnlyDeletes(value)))
                {
                    return false;
                }
            }

            return true;
        }

        // A patch value that holds nothing but deletes: Talos's decoder strips it, so nothing of it is merged.
        private static bool OnlyDeletes(YamlNode node)
        {
            switch (node)
            {
                case YamlMappingNode mapping when mapping.Children.ContainsKey(PatchDirectives.Key):
                    return true;
                case YamlMappingNode mapping:
                    return mapping.Children.Count > 0 && mapping.Children.All(c => OnlyDeletes(c.Value));
                case YamlSequenceNode sequence:
                    return sequence.Children.Count > 0 && sequence.Children.All(PatchDirectives.HasDirective);
                default:
                    return false;
            }
        }

        private void DeleteDocument(List<YamlDocument> config, List<DocumentId?> ids, DocumentId id, YamlMappingNode root)
        {
            if (id.IsV1Alpha1)
            {
                Report("patch-delete-unsupported", "the v1alpha1 document cannot be deleted; delete the keys inside it instead", root);
                return;
            }

            var index = IndexOf(ids, id);
            if (index < 0)
            {
                var name = id.Name.Length > 0 ? $" named '{id.Name}'" : "";
                Report("patch-delete-missing", $"the config has no {id.Kind} document{name} (apiVersion {id.ApiVersion}) to delete", root);
                return;
            }

            config.RemoveAt(index);
            ids.RemoveAt(index);
        }

        // ---- deletes ----

        // Carries out every `$patch: delete` inside a patch mapping. `target` is the config mapping at the same
        // place, or null when the config has nothing there; `rules` are Talos's for that place.
        private void ApplyDeletes(YamlMappingNode patch, YamlMappingNode? target, bool documentExists, MergeRules? rules)
        {
            var children = patch.Children;
            for (var i = 0; i < children.Count; i++)
            {
                var (keyNode, value) = children[i];
                if (PatchDirectives.IsDirectiveKey(keyNode) || keyNode is not YamlScalarNode { Value: { } key })
                {
                    continue;
                }

                path.Add(key);
                var childRules = rules?.Child(key);
                switch (value)
                {
                    case YamlMappingNode mapping when mapping.Children.TryGetValue(PatchDirectives.Key, out var directive):
                        if (IsDelete(directive))
                        {
                            DeleteKey(target, keyNode, key, mapping, documentExists, rules);
                        }

                        break;

                    case YamlMappingNode mapping:
                        ApplyDeletes(mapping, OwnChild(target, keyNode) as YamlMappingNode ?? AlwaysThere(target, childRules), documentExists, childRules);
                        break;

                    case YamlSequenceNode sequence:
                        DeleteListItems(sequence, OwnChild(target, keyNode) as YamlSequenceNode, documentExists, childRules);
                        break;
                }

                path.RemoveAt(path.Count - 1);
            }
        }

        // A struct Talos holds by value exists even where the YAML leaves it out, so a delete can walk through
        // it; only a pointer or a map that is absent makes Talos's lookup fail. The stand-in mapping is empty
        // and belongs to no config: deletes under it find nothing and change nothing.
        private static YamlMappingNode? AlwaysThere(YamlMappingNode? parent, MergeRules? rules) =>
            parent is not null && rules?.Field == TalosField.Struct ? new YamlMappingNode() : null;

        private void DeleteKey(YamlMappingNode? target, YamlNode keyNode, string key, YamlMappingNode at, bool documentExists, MergeRules? parentRules)
        {
            if (target is null)
            {
                ReportMissingParent(at, documentExists);
                return;
            }

            // Talos zeroes a struct field whether it is set or not, but a map key must be there
            // (configloader/internal/decoder/selector.go, deleteForPath).
            if (!target.Children.Remove(keyNode) && parentRules is not null && parentRules.IsMapKey(key))
            {
                Report("patch-delete-missing", $"cannot delete {PathText()}: the config has no key '{key}' there", at);
            }
        }

        private void DeleteListItems(YamlSequenceNode patch, YamlSequenceNode? target, bool documentExists, MergeRules? rules)
        {
            var items = patch.Children;
            for (var i = 0; i < items.Count; i++)
            {
                if (items[i] is not YamlMappingNode item)
                {
                    continue;
                }

                if (!item.Children.TryGetValue(PatchDirectives.Key, out var directive))
                {
                    ReportDeletesInsideListItem(item);
                    continue;
                }

                if (!IsDelete(directive))
                {
                    continue;
                }

                if (!SelectorOf(item, out var selectorKey, out var selectorValue))
                {
                    Report("patch-delete-unsupported", $"a list item to delete at {PathText()} needs a key to find it by, such as `name: …`", item);
                    continue;
                }

                if (target is null)
                {
                    ReportMissingParent(item, documentExists);
                    continue;
                }

                // Talos compares the text of the item's Go field: a string matches, but a number, a bool or a
                // pointer prints as "<uint16 Value>" and so on, and never matches (selector.go, deleteStructFrom).
                var keyField = rules?.Item?.Child(selectorKey.Value ?? "")?.Field;
                if (keyField is not null and not (TalosField.String or TalosField.Opaque))
                {
                    Report("patch-delete-key-type", $"Talos cannot find a list item of {PathText()} by {selectorKey.Value}: it compares the field as text, and a {Describe(keyField.Value)} never matches; delete the item by a text field or rewrite the list", item);
                    continue;
                }

                var found = -1;
                for (var t = 0; t < target.Children.Count && found < 0; t++)
                {
                    if (target.Children[t] is YamlMappingNode candidate && ScalarText(candidate, selectorKey) == selectorValue.Value)
                    {
                        found = t;
                    }
                }

                if (found < 0)
                {
                    Report("patch-delete-missing", $"no item of {PathText()} has {selectorKey.Value}: {selectorValue.Value}", item);
                    continue;
                }

                target.Children.RemoveAt(found);
            }
        }

        private static string Describe(TalosField field) => field switch
        {
            TalosField.Number => "number",
            TalosField.Bool => "bool",
            TalosField.Pointer => "field held by pointer",
            _ => "field that is not text",
        };

        // Talos picks the item's first key other than `$patch` as what to match on.
        private static bool SelectorOf(YamlMappingNode item, out YamlScalarNode key, out YamlScalarNode value)
        {
            var children = item.Children;
            for (var i = 0; i < children.Count; i++)
            {
                if (PatchDirectives.IsDirectiveKey(children[i].Key))
                {
                    continue;
                }

                if (children[i] is { Key: YamlScalarNode k, Value: YamlScalarNode v })
                {
                    (key, value) = (k, v);
                    return true;
                }

                break;
            }

            (key, value) = (null!, null!);
            return false;
        }

        private void ReportDeletesInsideListItem(YamlNode node)
        {
            switch (node)
            {
                case YamlMappingNode mapping:
                    for (var i = 0; i < mapping.Children.Count; i++)
                    {
                        var (key, value) = mapping.Children[i];
                        if (PatchDirectives.IsDirectiveKey(key))
                        {
                            Report("patch-delete-unsupported", $"`$patch` inside a list item ({PathText()}) is not supported by Talos; delete the whole item instead", key);
                        }
                        else
                        {
                            ReportDeletesInsideListItem(value);
                        }
                    }

                    break;
                case YamlSequenceNode sequence:
                    for (var i = 0; i < sequence.Children.Count; i++)
                    {
                        ReportDeletesInsideListItem(sequence.Children[i]);
                    }

                    break;
            }
        }

        private void ReportMissingParent(YamlNode at, bool documentExists)
        {
            var message = documentExists
                ? $"cannot delete {PathText()}: the config has nothing at {ParentPathText()}"
                : $"cannot delete {PathText()}: the config has no such document";
            Report("patch-delete-missing", message, at);
        }

        // ---- copy on write ----

        private bool IsShared(YamlNode node) => shared is not null && shared.Contains(node);

        /// <summary>The mapping root of config document <paramref name="index"/>, made this config's own.</summary>
        private YamlMappingNode? OwnRoot(List<YamlDocument> config, int index)
        {
            if (config[index].RootNode is not YamlMappingNode root)
            {
                return null;
            }

            if (IsShared(root))
            {
                root = (YamlMappingNode)ShallowCopy(root);
                config[index] = new YamlDocument(root);
            }

            return root;
        }

        /// <summary>The value under <paramref name="key"/> in an owned mapping, made its own; null when absent.</summary>
        private YamlNode? OwnChild(YamlMappingNode? target, YamlNode key)
        {
            if (target is null || !target.Children.TryGetValue(key, out var child))
            {
                return null;
            }

            if (IsShared(child) && child is not YamlScalarNode)
            {
                child = ShallowCopy(child);
                target.Children[key] = child;
            }

            return child;
        }

        /// <summary><paramref name="item"/>, an item of an owned list, made the list's own.</summary>
        private YamlMappingNode OwnItem(YamlSequenceNode target, YamlMappingNode item)
        {
            if (!IsShared(item))
            {
                return item;
            }

            var copy = (YamlMappingNode)ShallowCopy(item);
            var items = target.Children;
            for (var i = 0; i < items.Count; i++)
            {
                if (ReferenceEquals(items[i], item))
                {
                    items[i] = copy;
                    return copy;
                }
            }

            throw new InvalidOperationException("a matched list item is not in its list");
        }

        // A new container holding the same children: scalars are never changed in place, and a
        // shared child container is copied in turn only when the merge reaches into it.
        private static YamlNode ShallowCopy(YamlNode node)
        {
            switch (node)
            {
                case YamlMappingNode mapping:
                {
                    var copy = new YamlMappingNode { Style = mapping.Style, Tag = mapping.Tag };
                    var children = mapping.Children;
                    for (var i = 0; i < children.Count; i++)
                    {
                        var (key, value) = children[i];
                        copy.Children.Add(key, value);
                    }

                    return copy;
                }

                case YamlSequenceNode sequence:
                {
                    var copy = new YamlSequenceNode { Style = sequence.Style, Tag = sequence.Tag };
                    foreach (var item in sequence.Children)
                    {
                        copy.Children.Add(item);
                    }

                    return copy;
                }

                default:
                    throw new ArgumentException($"only collections are copied, not {node.GetType().Name}", nameof(node));
            }
        }

        // ---- merge ----

        private void MergeMapping(YamlMappingNode target, YamlMappingNode patch, MergeRules? rules)
        {
            var children = patch.Children;
            for (var i = 0; i < children.Count; i++)
            {
                var (key, value) = children[i];
                if (PatchDirectives.IsDirectiveKey(key) || PatchDirectives.HasDirective(value) || YamlScalars.IsNull(value))
                {
                    continue;
                }

                if (!target.Children.TryGetValue(key, out var current))
                {
                    target.Children.Add(YamlClone.Node(key, stripDirectives: false), YamlClone.Node(value, stripDirectives: true));
                    continue;
                }

                if (YamlScalars.IsNull(current))
                {
                    target.Children[key] = YamlClone.Node(value, stripDirectives: true);
                    continue;
                }

                var keyText = (key as YamlScalarNode)?.Value ?? "";
                path.Add(keyText);
                MergeValue(target, key, current, value, rules?.Child(keyText));
                path.RemoveAt(path.Count - 1);
            }

            if (rules is { ResetWhenAbsent.Count: > 0 })
            {
                ResetAbsent(target, patch, rules.ResetWhenAbsent);
            }
        }

        private void MergeValue(YamlMappingNode target, YamlNode key, YamlNode current, YamlNode value, MergeRules? rules)
        {
            var field = rules?.Field;
            if (field is TalosField.Replace or TalosField.Atomic or TalosField.Bytes)
            {
                // Taken whole, whatever it was: `merge:"replace"`, a Merge() that replaces, or []byte.
                target.Children[key] = YamlClone.Node(value, stripDirectives: true);
                return;
            }

            if (current.NodeType != value.NodeType)
            {
                Report("patch-type-mismatch", $"cannot merge {Describe(value)} into {Describe(current)} at {PathText()}", value);
                return;
            }

            switch (value)
            {
                case YamlScalarNode scalar:
                    if (field == TalosField.Any && YamlTypeOf(scalar) is var patchType && YamlTypeOf((YamlScalarNode)current) is var configType && patchType != configType)
                    {
                        Report("patch-type-mismatch", $"cannot merge a {patchType} into a {configType} at {PathText()}; Talos merges free-form values only of the same YAML type", value);
                    }
                    else if (!KeepsConfigValue(scalar, field))
                    {
                        target.Children[key] = YamlClone.Node(value, stripDirectives: true);
                    }

                    break;

                case YamlMappingNode patchMapping:
                    MergeMapping((YamlMappingNode)OwnChild(target, key)!, patchMapping, rules);
                    break;

                default:
                    MergeList((YamlSequenceNode)OwnChild(target, key)!, (YamlSequenceNode)value, rules);
                    break;
            }
        }

        // Talos's merge leaves a set value alone when the patch's is its type's zero value, unless the field is
        // held by pointer (merge.go: "merged into the left unless it's zero value"; false is always merged).
        private static bool KeepsConfigValue(YamlScalarNode patch, TalosField? field) => field switch
        {
            TalosField.String or TalosField.Opaque or TalosField.AtomicUnlessZero => patch.Value is "",
            TalosField.Number => IsNumericZero(patch.Value),
            TalosField.Any => patch.Value is "" || (!YamlScalars.IsStringTyped(patch) && IsNumericZero(patch.Value)),
            _ => false,
        };

        private static bool IsNumericZero(string? text)
        {
            if (string.IsNullOrEmpty(text))
            {
                return false;
            }

            var digits = text.AsSpan().TrimStart("+-");
            if (digits.StartsWith("0x") || digits.StartsWith("0o") || digits.StartsWith("0b"))
            {
                digits = digits[2..];
            }

            var sawDigit = false;
            foreach (var c in digits)
            {
                if (c is '0' or '_')
                {
                    sawDigit |= c == '0';
                }
                else if (c is not ('.' or 'e' or 'E' or '+' or '-'))
                {
                    return false;
                }
            }

            return sawDigit;
        }

        // A scalar's type as Talos's YAML decoder sees it in a free-form (map[string]any) value.
        private static string YamlTypeOf(YamlScalarNode scalar)
        {
            if (YamlScalars.IsStringTyped(scalar))
            {
                return "string";
            }

            var text = scalar.Value ?? "";
            if (text is "true" or "True" or "TRUE" or "false" or "False" or "FALSE")
            {
                return "bool";
            }

            if (long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out _)
                || (text.StartsWith("0x", StringComparison.Ordinal) && text.Length > 2) || (text.StartsWith("0o", StringComparison.Ordinal) && text.Length > 2))
            {
                return "number";
            }

            return double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _)
                || text is ".inf" or "-.inf" or "+.inf" or ".nan" or ".Inf" or ".NaN"
                ? "number"
                : "string";
        }

        // Fields Talos resets when it merges a struct whose patch lacks them (a ByteSize's Merge() copies the
        // patch's empty value; a bool held by value takes the patch's false).
        private void ResetAbsent(YamlMappingNode target, YamlMappingNode patch, IReadOnlyList<string[]> resets)
        {
            foreach (var keys in resets)
            {
                YamlNode? inPatch = patch;
                for (var k = 0; k < keys.Length && inPatch is not null; k++)
                {
                    inPatch = inPatch is YamlMappingNode m && m.Children.TryGetValue(new YamlScalarNode(keys[k]), out var next) && !YamlScalars.IsNull(next) ? next : null;
                }

                if (inPatch is not null)
                {
                    continue;
                }

                var owner = target;
                for (var k = 0; k < keys.Length - 1 && owner is not null; k++)
                {
                    owner = OwnChild(owner, new YamlScalarNode(keys[k])) as YamlMappingNode;
                }

                owner?.Children.Remove(new YamlScalarNode(keys[^1]));
            }
        }

        private void MergeList(YamlSequenceNode target, YamlSequenceNode patch, MergeRules? rules)
        {
            var items = patch.Children;
            var field = rules?.Field;
            // ImageVerificationRules.Merge indexes the config's rules before it appends: a patch rule matches
            // only those, and replaces the one it matches whole.
            var original = target.Children.Count;
            path.Add("[]");
            for (var i = 0; i < items.Count; i++)
            {
                var item = items[i];
                if (PatchDirectives.HasDirective(item))
                {
                    continue;
                }

                var match = item is YamlMappingNode mapping ? FindMatch(target, mapping, field, field == TalosField.ImageRules ? original : target.Children.Count) : -1;
                if (match < 0)
                {
                    target.Children.Add(YamlClone.Node(item, stripDirectives: true));
                }
                else if (field == TalosField.ImageRules)
                {
                    target.Children[match] = YamlClone.Node(item, stripDirectives: true);
                }
                else
                {
                    MergeMapping(OwnItem(target, (YamlMappingNode)target.Children[match]), (YamlMappingNode)item, rules!.Item);
                }
            }

            path.RemoveAt(path.Count - 1);
        }

        // The index of the config item the patch item merges into, among the first `count`; -1 for none.
        private static int FindMatch(YamlSequenceNode target, YamlMappingNode item, TalosField? field, int count)
        {
            switch (field)
            {
                case TalosField.Interfaces:
                {
                    var name = ScalarText(item, MergeKeys.Interface);
                    if (!string.IsNullOrEmpty(name))
                    {
                        return FindByText(target, count, MergeKeys.Interface, name, normalizeNumber: false);
                    }

                    if (Child(item, MergeKeys.DeviceSelector) is YamlMappingNode selector)
                    {
                        for (var i = 0; i < count; i++)
                        {
                            if (target.Children[i] is YamlMappingNode candidate
                                && Child(candidate, MergeKeys.DeviceSelector) is YamlMappingNode candidateSelector
                                && YamlEquality.SameValue(candidateSelector, selector))
                            {
                                return i;
                            }
                        }
                    }

                    return -1;
                }

                case TalosField.Vlans:
                    // A missing vlanId is Go's zero value, 0.
                    return FindByText(target, count, MergeKeys.VlanId, ScalarText(item, MergeKeys.VlanId) ?? "0", normalizeNumber: true);

                case TalosField.AdmissionPlugins:
                    return FindByText(target, count, MergeKeys.Name, ScalarText(item, MergeKeys.Name) ?? "", normalizeNumber: false);

                case TalosField.ConfigFiles:
                    return FindByText(target, count, MergeKeys.MountPath, ScalarText(item, MergeKeys.MountPath) ?? "", normalizeNumber: false);

                case TalosField.ImageRules:
                    return FindByText(target, count, MergeKeys.Image, ScalarText(item, MergeKeys.Image) ?? "", normalizeNumber: false);

                default:
                    return -1;
            }
        }

        private static int FindByText(YamlSequenceNode target, int count, YamlScalarNode key, string wanted, bool normalizeNumber)
        {
            if (normalizeNumber)
            {
                wanted = NormalizeNumber(wanted);
            }

            for (var i = 0; i < count; i++)
            {
                if (target.Children[i] is not YamlMappingNode candidate)
                {
                    continue;
                }

                var text = ScalarText(candidate, key) ?? (normalizeNumber ? "0" : "");
                if (normalizeNumber)
                {
                    text = NormalizeNumber(text);
                }

                if (text == wanted)
                {
                    return i;
                }
            }

            return -1;
        }

        private static string NormalizeNumber(string text) =>
            ulong.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)
                ? number.ToString(System.Globalization.CultureInfo.InvariantCulture)
                : text;

        // ---- helpers ----

        private static YamlNode? Child(YamlMappingNode? mapping, YamlNode key) =>
            mapping is not null && mapping.Children.TryGetValue(key, out var value) ? value : null;

        private static string? ScalarText(YamlMappingNode mapping, YamlNode key) =>
            mapping.Children.TryGetValue(key, out var value) && value is YamlScalarNode scalar && !YamlScalars.IsNull(scalar)
                ? scalar.Value
                : null;

        private static string Describe(YamlNode node) => node switch
        {
            YamlMappingNode => "a mapping",
            YamlSequenceNode => "a list",
            _ => "a scalar",
        };

        private string PathText() => path.Count == 0 ? "the document root" : string.Join('.', path).Replace(".[]", "[]", StringComparison.Ordinal);

        private string ParentPathText()
        {
            if (path.Count <= 1)
            {
                return "the document root";
            }

            var last = path[^1];
            path.RemoveAt(path.Count - 1);
            var text = PathText();
            path.Add(last);
            return text;
        }

        private bool IsDelete(YamlNode directive)
        {
            if (directive is YamlScalarNode { Value: "delete" })
            {
                return true;
            }

            Report("patch-unknown-directive", $"`$patch: {(directive as YamlScalarNode)?.Value}` is not supported; Talos knows only `$patch: delete`", directive);
            return false;
        }

        private void Report(string code, string message, YamlNode at)
        {
            Diagnostics ??= [];
            Diagnostics.Add(new Diagnostic(code, message, new SourceLocation(patchFile, (int)at.Start.Line, (int)at.Start.Column)));
        }
    }
}

/// <summary>Recognises `$patch` directives in patch trees.</summary>
internal static class PatchDirectives
{
    public static readonly YamlScalarNode Key = new("$patch");

    public static bool IsDirectiveKey(YamlNode key) => key is YamlScalarNode { Value: "$patch" };

    public static bool HasDirective(YamlNode node) =>
        node is YamlMappingNode mapping && mapping.Children.ContainsKey(Key);
}

/// <summary>Key nodes looked up on every merge, allocated once.</summary>
internal static class MergeKeys
{
    public static readonly YamlScalarNode Version = new("version");
    public static readonly YamlScalarNode ApiVersion = new("apiVersion");
    public static readonly YamlScalarNode Kind = new("kind");
    public static readonly YamlScalarNode Name = new("name");
    public static readonly YamlScalarNode Interface = new("interface");
    public static readonly YamlScalarNode DeviceSelector = new("deviceSelector");
    public static readonly YamlScalarNode VlanId = new("vlanId");
    public static readonly YamlScalarNode MountPath = new("mountPath");
    public static readonly YamlScalarNode Image = new("image");
}

/// <summary>Value equality of YAML trees: mapping order and null-valued entries do not count; scalars compare by text.</summary>
internal static class YamlEquality
{
    public static bool SameValue(YamlNode a, YamlNode b)
    {
        switch (a)
        {
            case YamlScalarNode sa when b is YamlScalarNode sb:
                return YamlScalars.IsNull(sa) ? YamlScalars.IsNull(sb) : sa.Value == sb.Value;

            case YamlSequenceNode qa when b is YamlSequenceNode qb:
                if (qa.Children.Count != qb.Children.Count)
                {
                    return false;
                }

                for (var i = 0; i < qa.Children.Count; i++)
                {
                    if (!SameValue(qa.Children[i], qb.Children[i]))
                    {
                        return false;
                    }
                }

                return true;

            case YamlMappingNode ma when b is YamlMappingNode mb:
                return Covers(ma, mb) && Covers(mb, ma);

            default:
                return false;
        }
    }

    // Every non-null entry of `a` is in `b` with the same value.
    private static bool Covers(YamlMappingNode a, YamlMappingNode b)
    {
        for (var i = 0; i < a.Children.Count; i++)
        {
            var (key, value) = a.Children[i];
            if (YamlScalars.IsNull(value))
            {
                continue;
            }

            if (!b.Children.TryGetValue(key, out var other) || !SameValue(value, other))
            {
                return false;
            }
        }

        return true;
    }
}
