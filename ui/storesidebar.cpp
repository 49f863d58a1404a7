#include "storesidebar.h"

#include "stateicon.h"

#include <QDir>
#include <QFileInfo>
#include <QPushButton>
#include <QStyle>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace lockscope {

namespace {

constexpr int kScopeRole = Qt::UserRole + 1;
constexpr int kPathRole = Qt::UserRole + 2;
constexpr int kShownRole = Qt::UserRole + 4; // what a project item was last labelled from

struct Counts
{
    int stale = 0;
    int held = 0;
    int sessions = 0;
};

QString countsText(const Counts &c)
{
    QStringList parts;
    if (c.stale > 0)
        parts << StoreSidebar::tr("%n stale", nullptr, c.stale);
    if (c.held > 0)
        parts << StoreSidebar::tr("%n held", nullptr, c.held);
    return parts.join(QStringLiteral(", "));
}

} // namespace

StoreSidebar::StoreSidebar(QWidget *parent)
    : QWidget(parent)
    , m_tree(new QTreeWidget(this))
    , m_add(new QPushButton(tr("Add folder\u2026"), this))
{
    m_tree->setObjectName(QStringLiteral("sidebarTree"));
    m_tree->setColumnCount(1);
    m_tree->setHeaderHidden(true);
    m_tree->setTextElideMode(Qt::ElideMiddle);
    m_tree->setRootIsDecorated(true);
    m_tree->setUniformRowHeights(true);
    m_tree->setAccessibleName(tr("Roots and projects"));
    m_tree->setToolTip(tr("Choose a root or a project to show only its sessions."));

    m_all = new QTreeWidgetItem(m_tree, {tr("All folders")});
    m_all->setData(0, kScopeRole, int(Everything));
    m_tree->setCurrentItem(m_all);

    m_add->setObjectName(QStringLiteral("addFolderButton"));
    m_add->setAccessibleName(tr("Add folder"));
    m_add->setToolTip(tr("Add an llxprt log folder, its tmp folder, a project folder or a chats "
                         "folder to the view. It is remembered."));

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_tree);
    layout->addWidget(m_add);

    connect(m_add, &QPushButton::clicked, this, &StoreSidebar::addFolderRequested);
    connect(m_tree, &QTreeWidget::currentItemChanged, this,
            [this](QTreeWidgetItem *current) { onCurrentChanged(current); });
}

void StoreSidebar::setSnapshot(const SnapshotPtr &snapshot)
{
    if (!snapshot)
        return;
    QHash<int, Counts> projectCounts;
    for (const LockEntry &lock : snapshot->locks) {
        if (lock.projectIndex < 0)
            continue;
        if (lock.judgement.verdict == Verdict::Stale)
            ++projectCounts[lock.projectIndex].stale;
        else if (lock.judgement.verdict == Verdict::Held)
            ++projectCounts[lock.projectIndex].held;
    }
    for (const SessionEntry &s : snapshot->sessions) {
        if (s.projectIndex >= 0)
            ++projectCounts[s.projectIndex].sessions;
    }

    QSet<QString> seenRoots;
    QSet<QString> seenProjects;
    QHash<int, Counts> rootCounts;
    for (int i = 0; i < snapshot->roots.size(); ++i) {
        const RootEntry &root = snapshot->roots.at(i);
        seenRoots.insert(root.path);
        QTreeWidgetItem *item = m_roots.value(root.path);
        if (!item) {
            item = new QTreeWidgetItem(m_tree);
            item->setData(0, kScopeRole, int(Root));
            item->setData(0, kPathRole, root.path);
            item->setExpanded(true);
            m_roots.insert(root.path, item);
        }
        item->setData(0, Qt::UserRole + 3, tr("%1: %2").arg(root.source, root.path));
        QString tip = tr("%1\nFound through: %2").arg(root.path, root.source);
        if (root.legacy)
            tip +=
                QLatin1Char('\n') + tr("Legacy 0.9 root: llxprt's own clean-up never visits it.");
        if (!root.error.isEmpty())
            tip += QLatin1Char('\n') + root.error;
        item->setToolTip(0, tip);
        item->setIcon(0, style()->standardIcon(QStyle::SP_DirIcon));
    }
    for (int i = 0; i < snapshot->projects.size(); ++i) {
        const ProjectEntry &project = snapshot->projects.at(i);
        seenProjects.insert(project.chatsDir);
        const int rootIndex = project.rootIndex;
        QTreeWidgetItem *parent = rootIndex >= 0 && rootIndex < snapshot->roots.size()
                                      ? m_roots.value(snapshot->roots.at(rootIndex).path)
                                      : nullptr;
        if (!parent)
            continue;
        QTreeWidgetItem *item = m_projects.value(project.chatsDir);
        if (item && item->parent() != parent) {
            delete item;
            item = nullptr;
        }
        if (!item) {
            item = new QTreeWidgetItem(parent);
            item->setData(0, kScopeRole, int(Project));
            item->setData(0, kPathRole, project.chatsDir);
            m_projects.insert(project.chatsDir, item);
        }
        Counts c = projectCounts.value(i);
        // An overview leaves sessions and lock files out and counts them per project.
        if (snapshot->sessions.isEmpty() && snapshot->locks.isEmpty()) {
            c.sessions = project.sessionCount;
            c.held = project.heldCount;
            c.stale = project.staleCount;
        }
        rootCounts[rootIndex].stale += c.stale;
        rootCounts[rootIndex].held += c.held;
        // A thousand projects are relabelled only where something changed.
        const qulonglong shown =
            qHashMulti(0, project.workspace, project.hash, c.sessions, c.held, c.stale);
        if (item->data(0, kShownRole).toULongLong() == shown && shown != 0)
            continue;
        item->setData(0, kShownRole, shown);
        const QString name = project.workspace.isEmpty() ? project.hash.left(12) + QChar(0x2026)
                                                         : QFileInfo(project.workspace).fileName();
        const QString counts = countsText(c);
        item->setText(0, counts.isEmpty() ? name : tr("%1 \u2014 %2").arg(name, counts));
        item->setToolTip(
            0, tr("%1\nProject hash %2\n%3")
                   .arg(project.workspace.isEmpty() ? tr("(workspace unknown)") : project.workspace,
                        project.hash, project.chatsDir));
        item->setIcon(0, stateIcon(c.stale > 0  ? RowState::Stale
                                   : c.held > 0 ? RowState::Held
                                                : RowState::Idle));
        item->setData(0, Qt::AccessibleTextRole,
                      tr("%1, %n session(s)", nullptr, c.sessions).arg(item->text(0)));
    }
    for (int i = 0; i < snapshot->roots.size(); ++i) {
        if (QTreeWidgetItem *item = m_roots.value(snapshot->roots.at(i).path)) {
            const QString label = item->data(0, Qt::UserRole + 3).toString();
            const QString counts = countsText(rootCounts.value(i));
            item->setText(0, counts.isEmpty() ? label : tr("%1 \u2014 %2").arg(label, counts));
        }
    }

    for (auto it = m_projects.begin(); it != m_projects.end();) {
        if (!seenProjects.contains(it.key())) {
            delete it.value();
            it = m_projects.erase(it);
        } else {
            ++it;
        }
    }
    for (auto it = m_roots.begin(); it != m_roots.end();) {
        if (!seenRoots.contains(it.key())) {
            const QList<QTreeWidgetItem *> children = it.value()->takeChildren();
            for (QTreeWidgetItem *child : children)
                m_projects.remove(child->data(0, kPathRole).toString());
            qDeleteAll(children);
            delete it.value();
            it = m_roots.erase(it);
        } else {
            ++it;
        }
    }
    if (!m_tree->currentItem())
        m_tree->setCurrentItem(m_all);
}

void StoreSidebar::onCurrentChanged(QTreeWidgetItem *current)
{
    if (!current) {
        emit scopeChanged(Everything, QString());
        return;
    }
    emit scopeChanged(Scope(current->data(0, kScopeRole).toInt()),
                      current->data(0, kPathRole).toString());
}

} // namespace lockscope
