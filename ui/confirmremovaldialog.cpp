#include "confirmremovaldialog.h"

#include "stateicon.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QPushButton>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace lockscope {

namespace {

QString evidenceHtml(const SessionRow &row)
{
    const LockEntry *l = row.lock();
    if (!l)
        return QString();
    QString html = QStringLiteral("<p><b>%1</b><br>%2</p>")
                       .arg(l->path().toHtmlEscaped(), l->judgement.reason.toHtmlEscaped());
    QStringList facts;
    if (l->payload.pid)
        facts << ConfirmRemovalDialog::tr("PID %1: %2")
                     .arg(*l->payload.pid)
                     .arg(livenessName(l->holder.liveness));
    if (l->holder.exists() && !l->holder.cmdline.isEmpty())
        facts << ConfirmRemovalDialog::tr("holder: %1").arg(l->holder.cmdline);
    if (l->judgement.lockAgeMs)
        facts
            << ConfirmRemovalDialog::tr("lock age: %1").arg(humanDuration(*l->judgement.lockAgeMs));
    if (!l->judgement.flagNames().isEmpty())
        facts << ConfirmRemovalDialog::tr("flags: %1")
                     .arg(l->judgement.flagNames().join(QStringLiteral(", ")));
    facts << ConfirmRemovalDialog::tr("llxprt calls it %1")
                 .arg(l->upstream.inUse ? ConfirmRemovalDialog::tr("in use")
                                        : ConfirmRemovalDialog::tr("not in use"));
    if (l->file.read)
        facts << ConfirmRemovalDialog::tr("payload: %1")
                     .arg(QString::fromUtf8(l->file.bytes.left(300)));
    html += QStringLiteral("<ul>");
    for (const QString &f : qAsConst(facts))
        html += QStringLiteral("<li>%1</li>").arg(f.toHtmlEscaped());
    html += QStringLiteral("</ul>");
    return html;
}

} // namespace

ConfirmRemovalDialog::ConfirmRemovalDialog(const QVector<SessionRow> &rows, bool force,
                                           QWidget *parent)
    : QDialog(parent)
    , m_rows(rows)
    , m_force(force)
{
    setObjectName(QStringLiteral("confirmRemovalDialog"));
    setWindowTitle(force ? tr("Force remove lock") : tr("Remove stale locks"));
    setAccessibleName(windowTitle());

    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(this);
    intro->setWordWrap(true);
    if (force) {
        intro->setText(tr("lockscope cannot prove that the holder of this lock is gone. "
                          "Removing it while the holder runs lets a second llxprt open the same "
                          "session and corrupt it. Stop the holder first."));
    } else {
        intro->setText(tr("%n lock file(s) will be removed. Each holder is proven gone; every "
                          "file is judged again right before it is removed and recorded in the "
                          "audit log so it can be restored.",
                          nullptr, int(rows.size())));
    }
    layout->addWidget(intro);

    auto *evidence = new QTextBrowser(this);
    evidence->setObjectName(QStringLiteral("confirmEvidence"));
    evidence->setAccessibleName(tr("Evidence"));
    QString html;
    for (const SessionRow &row : rows)
        html += QStringLiteral("<h4>%1 \u2014 %2</h4>")
                    .arg(rowStateName(row.state()).toHtmlEscaped(), row.title().toHtmlEscaped()) +
                evidenceHtml(row);
    evidence->setHtml(html);
    layout->addWidget(evidence);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_remove = buttons->addButton(force ? tr("Force remove") : tr("Remove"),
                                  QDialogButtonBox::DestructiveRole);
    m_remove->setObjectName(QStringLiteral("confirmRemoveButton"));
    m_remove->setAccessibleName(m_remove->text());
    if (force) {
        m_ack = new QCheckBox(tr("I have stopped the holder"), this);
        m_ack->setObjectName(QStringLiteral("stoppedHolderCheck"));
        m_ack->setAccessibleName(m_ack->text());
        m_ack->setToolTip(tr("Required: confirm that no process uses this session any more."));
        layout->addWidget(m_ack);
        m_remove->setEnabled(false);
        connect(m_ack, &QCheckBox::toggled, m_remove, &QPushButton::setEnabled);
    }
    layout->addWidget(buttons);
    connect(m_remove, &QPushButton::clicked, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    buttons->button(QDialogButtonBox::Cancel)->setDefault(true);
    resize(560, force ? 420 : 360);
}

void ConfirmRemovalDialog::cancelBecauseChanged(const QString &why)
{
    m_changed = true;
    m_changeReason = why;
    reject();
}

} // namespace lockscope
