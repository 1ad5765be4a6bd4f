package io.keel.codecs;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import java.io.InputStream;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilderFactory;

/**
 * What keel-schema.xml itself declares, read independently of the generated code, so tests can notice a template
 * that the hand-written tables do not know yet.
 */
final class Schema
{
    private static final String SBE_NAMESPACE = "http://fixprotocol.io/2016/sbe";

    final int id;
    final int version;
    final Map<Integer, String> messageNameByTemplateId = new TreeMap<>();
    final Set<Integer> templateIdsWithVarDataOrGroups = new TreeSet<>();

    private Schema(final Document document)
    {
        final Element root = document.getDocumentElement();
        id = Integer.parseInt(root.getAttribute("id"));
        version = Integer.parseInt(root.getAttribute("version"));

        final NodeList messages = document.getElementsByTagNameNS(SBE_NAMESPACE, "message");
        for (int i = 0; i < messages.getLength(); i++)
        {
            final Element message = (Element)messages.item(i);
            final int templateId = Integer.parseInt(message.getAttribute("id"));
            if (null != messageNameByTemplateId.put(templateId, message.getAttribute("name")))
            {
                throw new IllegalStateException("duplicate template id " + templateId);
            }

            if (message.getElementsByTagNameNS("*", "data").getLength() > 0 ||
                message.getElementsByTagNameNS("*", "group").getLength() > 0)
            {
                templateIdsWithVarDataOrGroups.add(templateId);
            }
        }
    }

    static Schema load()
    {
        try (InputStream in = Schema.class.getResourceAsStream("/keel-schema.xml"))
        {
            if (null == in)
            {
                throw new IllegalStateException("keel-schema.xml not on the classpath");
            }

            final DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            return new Schema(factory.newDocumentBuilder().parse(in));
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException("cannot read keel-schema.xml", ex);
        }
    }
}
