"""Pure text: the article model, frontmatter, the Markdown line scanner, index tables, slugs.

Nothing here touches the disk, git or the network."""
