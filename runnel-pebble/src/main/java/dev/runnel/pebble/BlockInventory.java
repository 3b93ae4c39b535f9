package dev.runnel.pebble;

import io.pebbletemplates.pebble.PebbleEngine;
import io.pebbletemplates.pebble.error.PebbleException;
import io.pebbletemplates.pebble.extension.AbstractNodeVisitor;
import io.pebbletemplates.pebble.node.BlockNode;
import io.pebbletemplates.pebble.node.ExtendsNode;
import io.pebbletemplates.pebble.node.expression.LiteralStringExpression;
import io.pebbletemplates.pebble.template.PebbleTemplateImpl;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The blocks a template can render: its own and those of the parents it extends. Pebble keeps a
 * template's block map private, so the names are read from the compiled tree, visiting the same
 * nodes Pebble's own block registration visits. A parent named by an expression rather than a
 * string literal is only known at render time; the inventory then says it is incomplete.
 *
 * <p>Only built after a render came out empty, so its cost stays off the normal path.
 */
record BlockInventory(Set<String> names, List<String> parents, boolean parentUnknown) {

    static BlockInventory of(PebbleEngine engine, PebbleTemplateImpl template) {
        Set<String> names = new TreeSet<>();
        List<String> parents = new ArrayList<>();
        boolean parentUnknown = false;
        List<String> seen = new ArrayList<>(); // a template extending itself would loop
        PebbleTemplateImpl current = template;
        while (current != null && !seen.contains(current.getName())) {
            seen.add(current.getName());
            Scan scan = new Scan(current);
            current.getRootNode().accept(scan);
            names.addAll(scan.blocks);
            current = null;
            if (scan.parent instanceof ExtendsNode ext) {
                if (ext.getParentExpression() instanceof LiteralStringExpression literal) {
                    String parentName = scan.template().resolveRelativePath(literal.getValue());
                    parents.add(parentName);
                    current = load(engine, parentName);
                    parentUnknown = current == null;
                } else {
                    parentUnknown = true;
                }
            }
        }
        return new BlockInventory(names, parents, parentUnknown);
    }

    private static PebbleTemplateImpl load(PebbleEngine engine, String name) {
        try {
            return engine.getTemplate(name) instanceof PebbleTemplateImpl impl ? impl : null;
        } catch (PebbleException e) {
            // The render already succeeded, so this parent was not on its path; just list less.
            return null;
        }
    }

    boolean contains(String block) {
        return names.contains(block);
    }

    String describeMissing(String template, String block) {
        StringBuilder message = new StringBuilder()
                .append("template \"").append(template).append("\" has no block \"").append(block).append('"');
        if (names.isEmpty()) {
            message.append("; it has no blocks");
        } else {
            message.append("; its blocks are ").append(names);
        }
        if (!parents.isEmpty()) {
            message.append(" (including those inherited from ").append(String.join(", ", parents)).append(')');
        }
        if (parentUnknown) {
            message.append("; its parent template is chosen at render time or cannot be loaded,"
                    + " so the blocks it defines are not listed");
        }
        return message.toString();
    }

    private static final class Scan extends AbstractNodeVisitor {
        final List<String> blocks = new ArrayList<>();
        ExtendsNode parent;

        Scan(PebbleTemplateImpl template) {
            super(template);
        }

        PebbleTemplateImpl template() {
            return getTemplate();
        }

        @Override
        public void visit(BlockNode node) {
            blocks.add(node.getName());
            super.visit(node);
        }

        @Override
        public void visit(ExtendsNode node) {
            // The last extends wins at render time, as it does in Pebble.
            parent = node;
            super.visit(node);
        }
    }
}
