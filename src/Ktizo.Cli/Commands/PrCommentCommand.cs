using System.CommandLine;
using Ktizo.Cli.Approval;
using Ktizo.Core;

namespace Ktizo.Cli.Commands;

/// <summary>
/// <c>ktizo pr-comment --pr N --marker NAME --body-file FILE</c>: creates, or edits in place, the one
/// comment on pull request N that carries the hidden marker NAME. The validate workflow posts
/// <c>ktizo diff</c> with it, so each push updates one comment instead of adding another.
/// </summary>
public static class PrCommentCommand
{
    /// <summary>GitHub refuses comments over 65,536 characters.</summary>
    public const int MaxBodyCharacters = 60_000;

    public static Command Create(CliConsole console)
    {
        var number = new Option<int>("--pr") { Description = "The pull request (or issue) number", Required = true };
        var marker = new Option<string>("--marker")
        {
            Description = "Names the comment: letters, digits, '.', '_', '-' (e.g. diff)",
            Required = true,
            Validators =
            {
                result =>
                {
                    var value = result.GetValueOrDefault<string>();
                    if (value is null || value.Length is 0 or > 64 || !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
                    {
                        result.AddError("--marker must be 1–64 letters, digits, '.', '_' or '-'.");
                    }
                },
            },
        };
        var bodyFile = new Option<FileInfo>("--body-file") { Description = "The comment's Markdown (e.g. the output of ktizo diff)", Required = true };
        var github = new GitHubSettings();
        var command = new Command("pr-comment", "Create or update the one marked comment on a pull request") { number, marker, bodyFile };
        github.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(console, async () =>
        {
            if (parse.GetValue(number) <= 0)
            {
                throw new KtizoException("--pr must be a pull request number (1 or more).");
            }

            var body = await File.ReadAllTextAsync(parse.GetValue(bodyFile)!.FullName, cancellationToken).ConfigureAwait(false);
            if (string.IsNullOrWhiteSpace(body))
            {
                throw new KtizoException($"{parse.GetValue(bodyFile)!.Name} is empty: there is nothing to comment.");
            }

            if (body.Length > MaxBodyCharacters)
            {
                var end = body.LastIndexOf('\n', MaxBodyCharacters);
                body = body[..(end > 0 ? end : MaxBodyCharacters)] + "\n\n… cut short: the full text is in the workflow run's summary.\n";
            }

            var pullRequests = github.Connect(parse, console);
            var comment = await pullRequests.UpsertMarkedCommentAsync(parse.GetValue(number), parse.GetValue(marker)!, body, cancellationToken).ConfigureAwait(false);
            console.Out.WriteLine($"{(comment.Created ? "created" : "updated")} comment {comment.HtmlUrl}");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
