#pragma once

#include "sessionrow.h"

#include <QHash>
#include <QWidget>

class QPushButton;
class QTreeWidget;
class QTreeWidgetItem;

namespace lockscope {

// The roots that were scanned (with where each came from) and their projects,
// labelled by workspace folder with stale and held counts. Updated in place so
// that the chosen item survives a refresh.
class StoreSidebar final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StoreSidebar)

public:
    enum Scope
    {
        Everything,
        Root,
        Project
    };

    explicit StoreSidebar(QWidget *parent = nullptr);

    void setSnapshot(const SnapshotPtr &snapshot);
    QTreeWidget *tree() const { return m_tree; }

signals:
    void scopeChanged(lockscope::StoreSidebar::Scope scope, const QString &path);
    void addFolderRequested();

private:
    void onCurrentChanged(QTreeWidgetItem *current);

    QTreeWidget *m_tree = nullptr;
    QPushButton *m_add = nullptr;
    QTreeWidgetItem *m_all = nullptr;
    QHash<QString, QTreeWidgetItem *> m_roots;    // by root path
    QHash<QString, QTreeWidgetItem *> m_projects; // by chats folder
};

} // namespace lockscope
