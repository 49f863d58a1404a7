#include "detailspane.h"

#include "clock.h"
#include "snapshotjson.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QScrollBar>
#include <QTextBrowser>
#include <QUrl>
#include <QUrlQuery>
#include <QVBoxLayout>

namespace lockscope {

namespace {

// lupdate files a tr() outside a class under the enclosing namespace; the same
// context here is what makes its translations found.
QString tr(const char *text)
{
    return QCoreApplication::translate("lockscope", text);
}

QString esc(const QString &text)
{
    return text.toHtmlEscaped();
}

QString copyLink(const QString &text)
{
    QUrl url;
    url.setScheme(QStringLiteral("copy"));
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("text"), text);
    url.setQuery(query);
    return QStringLiteral(" <a href=\"%1\">%2</a>")
        .arg(esc(url.toString(QUrl::FullyEncoded)), esc(tr("copy")));
}

QString row(const QString &label, const QString &valueHtml)
{
    return QStringLiteral("<tr><td valign=\"top\"><b>%1</b>&nbsp;&nbsp;</td><td>%2</td></tr>")
        .arg(esc(label), valueHtml);
}

QString jsonValueText(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        return QStringLiteral("\u2014");
    case QJsonValue::Bool:
        return v.toBool() ? tr("yes") : tr("no");
    case QJsonValue::Double:
        return QString::number(v.toDouble(), 'g', 15);
    case QJsonValue::String:
        return v.toString();
    case QJsonValue::Array: {
        QStringList parts;
        for (const QJsonValue &item : v.toArray())
            parts << jsonValueText(item);
        return parts.join(QStringLiteral(", "));
    }
    case QJsonValue::Object: {
        QStringList parts;
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            parts << it.key() + QStringLiteral(": ") + jsonValueText(it.value());
        return parts.join(QStringLiteral("; "));
    }
    }
    return QString();
}

// Every field of a JSON object as table rows, so that no piece of evidence the
// core gathered is left out of the pane.
QString objectRows(const QJsonObject &object)
{
    QString html;
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (it.value().isObject()) {
            const QJsonObject inner = it.value().toObject();
            for (auto in = inner.begin(); in != inner.end(); ++in)
                html += row(it.key() + QLatin1Char('.') + in.key(), esc(jsonValueText(in.value())));
        } else {
            html += row(it.key(), esc(jsonValueText(it.value())));
        }
    }
    return html;
}

QString section(const QString &title)
{
    return QStringLiteral("<h3>%1</h3>").arg(esc(title));
}

} // namespace

QString detailsHtml(const SessionRow &r, qint64 wallNowMs, qint64 bootNowMs)
{
    const LockEntry *lock = r.lock();
    const SessionEntry *session = r.session();
    const RecordingInfo *rec = r.recording();
    QString html;

    html +=
        QStringLiteral("<h2>%1 \u2014 %2</h2>").arg(esc(rowStateName(r.state())), esc(r.title()));
    html += QStringLiteral("<p>%1</p>").arg(esc(rowStateExplanation(r.state())));
    if (lock) {
        const Judgement &j = lock->judgement;
        html += QStringLiteral("<p><b>%1</b></p>").arg(esc(j.reason));
        if (j.has(Blocked))
            html += QStringLiteral("<p>%1</p>")
                        .arg(esc(tr("Removal would fail: %1. Delete actions are disabled.")
                                     .arg(j.blockedReason)));
        if (!j.otherUserReason.isEmpty())
            html += QStringLiteral("<p>%1</p>").arg(esc(j.otherUserReason));

        html += section(tr("Verdicts"));
        html += QStringLiteral("<table>");
        QString verdict = verdictName(j.verdict);
        if (j.cause != Cause::None)
            verdict += QLatin1Char('/') + causeName(j.cause);
        html += row(tr("lockscope"), esc(tr("%1, action %2").arg(verdict, actionName(j.action))));
        html += row(
            tr("Flags"),
            esc(j.flagNames().isEmpty() ? tr("none") : j.flagNames().join(QStringLiteral(", "))));
        if (lock->kind == EntryKind::Lock || lock->kind == EntryKind::LegacyLock) {
            html += row(tr("llxprt session browser (upstreamInUse)"),
                        esc(lock->upstream.inUse ? tr("in use") : tr("not in use")));
            html += row(tr("next llxprt start (upstreamJanitorRemoves)"),
                        esc(lock->upstream.janitorRemoves ? tr("removes it") : tr("leaves it")));
        }
        html += QStringLiteral("</table>");

        const QJsonObject json = lockToJson(*lock, r.snapshot.get(), wallNowMs, bootNowMs);
        html += section(tr("Evidence"));
        html += QStringLiteral("<table>");
        html += row(tr("kind"), esc(lock->kindName()));
        html += row(tr("pid"), esc(jsonValueText(json.value(QLatin1String("pid")))));
        html += row(tr("timestamp"), esc(jsonValueText(json.value(QLatin1String("timestamp")))));
        html += row(tr("lockAgeSeconds"),
                    esc(jsonValueText(json.value(QLatin1String("lockAgeSeconds")))));
        html += objectRows(json.value(QLatin1String("evidence")).toObject());
        html += QStringLiteral("</table>");
        html += section(tr("Holder"));
        html += QStringLiteral("<table>%1</table>")
                    .arg(objectRows(json.value(QLatin1String("holder")).toObject()));

        html += section(tr("Raw payload"));
        if (lock->file.read) {
            QString text = QString::fromUtf8(lock->file.bytes.left(4096));
            if (lock->file.bytes.size() > 4096 || lock->file.truncated)
                text += QChar(0x2026);
            html += text.isEmpty() ? QStringLiteral("<p>%1</p>").arg(esc(tr("(empty file)")))
                                   : QStringLiteral("<pre>%1</pre>").arg(esc(text));
        } else {
            html += QStringLiteral("<p>%1</p>")
                        .arg(esc(tr("(not read: %1)")
                                     .arg(lock->file.openErrno ? errnoText(lock->file.openErrno)
                                                               : fileTypeName(lock->file.type))));
        }
    }

    html += section(tr("Paths"));
    html += QStringLiteral("<table>");
    if (lock)
        html += row(lock->kindName(), esc(lock->path()) + copyLink(lock->path()));
    if (session && rec) {
        const QString path = displayPath(session->recordingPath);
        html += row(tr("recording"), esc(path) + copyLink(path));
    }
    if (const ProjectEntry *p = r.project()) {
        html += row(tr("chats folder"), esc(p->chatsDir) + copyLink(p->chatsDir));
        html += row(tr("project hash"), esc(p->hash));
        if (!p->workspace.isEmpty())
            html += row(tr("workspace"), esc(p->workspace));
    }
    html += QStringLiteral("</table>");

    if (session) {
        html += section(tr("Session"));
        html += QStringLiteral("<table>");
        html += row(tr("session id"), session->sessionId.isEmpty()
                                          ? esc(tr("unknown"))
                                          : esc(session->sessionId) + copyLink(session->sessionId));
        if (session->pairingUncertain)
            html +=
                row(tr("pairing"), esc(tr("uncertain: the recording's header is unreadable, "
                                          "so it was paired by the 12 characters in its name")));
        if (!rec) {
            html += row(tr("recording"),
                        esc(tr("none yet (a session writes its recording at its first message)")));
        } else {
            if (!rec->headerOk)
                html += row(tr("header"), esc(tr("unreadable: %1").arg(rec->headerError)));
            html += row(tr("name"), esc(rec->name));
            html += row(tr("title"), esc(rec->title));
            html += row(tr("first message"), esc(rec->firstHumanText));
            html += row(tr("provider / model"),
                        esc(rec->provider + QStringLiteral(" / ") + rec->model));
            html += row(tr("started"), esc(rec->startTime));
            html += row(tr("last activity"),
                        esc(QDateTime::fromMSecsSinceEpoch(rec->mtimeMs).toString(Qt::ISODate)));
            html += row(tr("events"),
                        esc(QString::number(rec->events) +
                            (rec->tornTail ? tr(" (last line still being written)") : QString())));
            if (!rec->forkParent.isEmpty())
                html += row(tr("forked from"), esc(rec->forkParent));
            QStringList checkpoints;
            for (const Checkpoint &c : rec->checkpoints)
                checkpoints << (c.name.isEmpty() ? c.id : tr("%1 (%2)").arg(c.name, c.id));
            html += row(
                tr("checkpoints"),
                esc(checkpoints.isEmpty() ? tr("none") : checkpoints.join(QStringLiteral(", "))));
        }
        html += QStringLiteral("</table>");
    }
    return html;
}

DetailsPane::DetailsPane(QWidget *parent)
    : QWidget(parent)
    , m_browser(new QTextBrowser(this))
{
    m_browser->setObjectName(QStringLiteral("detailsBrowser"));
    m_browser->setOpenLinks(false);
    m_browser->setAccessibleName(tr("Details of the selected row"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_browser);
    connect(m_browser, &QTextBrowser::anchorClicked, this, [this](const QUrl &url) {
        if (url.scheme() == QLatin1String("copy"))
            emit copyRequested(
                QUrlQuery(url).queryItemValue(QStringLiteral("text"), QUrl::FullyDecoded));
    });
    showNothing(tr("Select a row to see why lockscope judged it so."));
}

void DetailsPane::showRow(const SessionRow *row, qint64 wallNowMs)
{
    if (!row) {
        showNothing(tr("Select a row to see why lockscope judged it so."));
        return;
    }
    const int scroll = m_browser->verticalScrollBar() ? m_browser->verticalScrollBar()->value() : 0;
    m_browser->setHtml(detailsHtml(*row, wallNowMs, SystemClock::instance().bootNowMs()));
    m_browser->verticalScrollBar()->setValue(scroll);
}

void DetailsPane::showNothing(const QString &message)
{
    m_browser->setHtml(QStringLiteral("<p>%1</p>").arg(message.toHtmlEscaped()));
}

QString DetailsPane::plainText() const
{
    return m_browser->toPlainText();
}

} // namespace lockscope
