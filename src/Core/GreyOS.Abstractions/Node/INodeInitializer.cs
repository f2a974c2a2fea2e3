namespace GreyOS.Abstractions.Node;

/// <summary>
/// One start-up step of the node (prepare the data folder, migrate the database, load keys ...).
/// The host runs all steps in <see cref="Order"/> before it starts listening; a step that cannot
/// complete throws <see cref="NodeStartupException"/>.
/// </summary>
public interface INodeInitializer
{
    /// <summary>Lower runs first. Storage: 100, identity: 200.</summary>
    int Order { get; }

    Task InitializeAsync(CancellationToken cancellationToken);
}
