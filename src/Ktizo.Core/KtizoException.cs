namespace Ktizo.Core;

/// <summary>
/// The one user-facing error: its message is written for the person running Ktizo and is printed
/// without a stack trace. Anything else that escapes is a bug and prints one.
/// </summary>
public class KtizoException : Exception
{
    public KtizoException(string message)
        : base(message)
    {
    }

    public KtizoException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
