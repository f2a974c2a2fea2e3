namespace GreyOS.Abstractions.Node;

/// <summary>The node's data folder: the database, keys and files of this instance live here.</summary>
public sealed record DataDirectory(string Path)
{
    /// <summary>The full path of a file inside the data folder.</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);
}
